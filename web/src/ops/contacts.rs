//! Typed operations of `contacts.graphql`, and the contact enums pages share.

use super::*;

/// The `JSON` scalar under the name the schema gives it (the generated code asks for it).
#[allow(clippy::upper_case_acronyms)]
pub type JSON = serde_json::Value;

super::operations!("src/ops/contacts.graphql":
    /// `ContactList` in `contacts.graphql`.
    ContactList,
    /// `CreateContact` in `contacts.graphql`.
    CreateContact,
    /// `Contact` in `contacts.graphql`.
    Contact,
    /// `ContactEvents` in `contacts.graphql`.
    ContactEvents,
    /// `UpdateContact` in `contacts.graphql`.
    UpdateContact,
    /// `UpdateContactFields` in `contacts.graphql`.
    UpdateContactFields,
    /// `SetConsent` in `contacts.graphql`.
    SetConsent,
    /// `ContactByEmail` in `contacts.graphql`.
    ContactByEmail,
    /// `MergeContacts` in `contacts.graphql`.
    MergeContacts,
    /// `ExportContact` in `contacts.graphql`.
    ExportContact,
    /// `EraseContact` in `contacts.graphql`.
    EraseContact,
    /// `ContactFields` in `contacts.graphql`.
    ContactFields,
    /// `CreateContactField` in `contacts.graphql`.
    CreateContactField,
    /// `DeleteContactField` in `contacts.graphql`.
    DeleteContactField,
);

/// A row of the contacts list.
pub type ContactRow = contact_list::ContactListContactsNodes;
/// A contact as its page shows it.
pub type ContactDetail = contact::ContactContact;
/// A contact field as a contact's page edits it.
pub type FieldDef = contact::ContactContactFieldsNodes;
/// One event in a contact's history.
pub type ContactEvent = contact_events::ContactEventsContactEventsNodes;
/// A row of the contact fields list.
pub type FieldRow = contact_fields::ContactFieldsContactFieldsNodes;

super::page_info_from!(
    contact_list::ContactListContactsPageInfo,
    contact_events::ContactEventsContactEventsPageInfo,
    contact_fields::ContactFieldsContactFieldsPageInfo,
);
super::connection_chunk!(
    contact_list::ContactListContacts => ContactRow,
    contact_events::ContactEventsContactEvents => ContactEvent,
    contact_fields::ContactFieldsContactFields => FieldRow,
);

macro_rules! labelled_enum {
    ($(#[$doc:meta])* $name:ident { $($variant:ident => $wire:literal, $label:literal;)* }) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(rename_all = "SCREAMING_SNAKE_CASE")]
        pub enum $name {
            $($variant,)*
            /// A value this build of the UI does not know yet (a newer server).
            #[serde(other)]
            Unknown,
        }

        impl $name {
            /// Every known value, in the order forms list them.
            pub const ALL: &[$name] = &[$($name::$variant),*];

            /// The schema's name for it, as form controls carry it.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $wire,)*
                    $name::Unknown => "UNKNOWN",
                }
            }

            /// The value named `name`, if it is one.
            pub fn parse(name: &str) -> Option<$name> {
                Self::ALL.iter().copied().find(|v| v.as_str() == name)
            }

            /// How people read it.
            pub fn label(self) -> &'static str {
                match self {
                    $($name::$variant => $label,)*
                    $name::Unknown => "Unknown",
                }
            }
        }
    };
}

labelled_enum! {
    /// The type of a contact field.
    AttributeType {
        String => "STRING", "Text";
        Number => "NUMBER", "Number";
        Boolean => "BOOLEAN", "Yes / no";
        Date => "DATE", "Date";
        Money => "MONEY", "Money";
        Enum => "ENUM", "One of a list";
        List => "LIST", "List of texts";
    }
}

labelled_enum! {
    /// A channel a contact can be reached on.
    Channel {
        Email => "EMAIL", "Email";
        Sms => "SMS", "SMS";
        Mail => "MAIL", "Mail";
        Phone => "PHONE", "Phone";
        Messaging => "MESSAGING", "Messaging";
        Web => "WEB", "Web";
        Kiosk => "KIOSK", "Kiosk";
        PointOfSale => "POINT_OF_SALE", "Point of sale";
    }
}

impl Channel {
    /// The channels a contact gives consent on (the API refuses consent on the others,
    /// where the contact comes to the business: web, kiosk, point of sale).
    pub const CONSENTED: &[Channel] =
        &[Channel::Email, Channel::Sms, Channel::Mail, Channel::Phone, Channel::Messaging];
}

labelled_enum! {
    /// Where a contact's consent on a channel stands.
    ConsentStatus {
        Granted => "GRANTED", "Granted";
        Denied => "DENIED", "Denied";
        Pending => "PENDING", "Pending";
    }
}
