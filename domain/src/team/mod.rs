//! A workspace's team: its members and the invitations that bring new ones in.

pub mod invitations;
pub mod members;
