//! Files a workspace uploads or Parley produces for it (an import's upload, an export),
//! kept in the database in chunks of [`CHUNK`] bytes: API and worker nodes share
//! nothing but the database, and no file ever needs to sit in memory whole.

use bytes::Bytes;
use futures::Stream;
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QuerySelect};
use tokio::io::{AsyncRead, AsyncReadExt};

use crate::db::TenantOwned;
use crate::{Audited, Error, Parley, Result, StoredFileId, TenantCtx, TenantTx, new_id, now};
use entities::{file_chunk, stored_file};

/// Bytes per stored chunk.
pub const CHUNK: usize = 1024 * 1024;

/// A stored file.
pub type StoredFile = stored_file::Model;

impl Audited for StoredFile {
    fn audit_json(&self) -> serde_json::Value {
        serde_json::json!({ "name": self.name, "purpose": self.purpose, "sizeBytes": self.size_bytes })
    }
}

/// Reads from `r` until `buf` holds `n` bytes or the input ends; answers whether it ended.
pub(crate) async fn fill<R: AsyncRead + Unpin>(r: &mut R, buf: &mut Vec<u8>, n: usize) -> Result<bool> {
    while buf.len() < n {
        let want = n - buf.len();
        let got = r.take(want as u64).read_to_end(buf).await.map_err(read_error)?;
        if got == 0 {
            return Ok(true);
        }
    }
    Ok(false)
}

fn read_error(e: std::io::Error) -> Error {
    Error::invalid("file", format!("could not be read to the end ({e})"))
}

/// Names a file the way it is shown and downloaded: the last path part, without
/// control characters, at most 200 characters.
pub(crate) fn clean_name(raw: &str, fallback: &str) -> String {
    let last = raw.rsplit(['/', '\\']).next().unwrap_or_default();
    let name: String = last.chars().filter(|c| !c.is_control() && *c != '"').take(200).collect();
    if name.trim().is_empty() { fallback.to_owned() } else { name.trim().to_owned() }
}

/// Stores `first` (bytes already read) followed by the rest of `rest`, refusing more
/// than `max` bytes in all; answers the file and its last byte. Every chunk is written in a short transaction of its own, so
/// a large upload never holds the database; a failure part-way removes what was
/// written. The caller links the file to what it is for in its own transaction.
pub(crate) async fn store<R: AsyncRead + Unpin>(
    ctx: &TenantCtx,
    p: &Parley,
    name: &str,
    purpose: &str,
    first: Vec<u8>,
    mut rest: R,
    max: u64,
) -> Result<(StoredFile, Option<u8>)> {
    let tx = p.tenant_tx(ctx).await?;
    let file = create_in(&tx, name, purpose).await?;
    tx.commit().await?;
    let id = file.id;
    let written = write_chunks(ctx, p, id, first, &mut rest, max).await;
    match written {
        Ok((size, chunks, last)) => {
            let tx = p.tenant_tx(ctx).await?;
            set_size(&tx, id, size, chunks).await?;
            tx.commit().await?;
            Ok((StoredFile { size_bytes: size, chunks, ..file }, last))
        }
        Err(e) => {
            // Best effort: what is left is unreferenced and the purge removes it.
            if let Err(clean) = remove(ctx, p, id).await {
                tracing::warn!(error = %clean, "a partly stored file was left behind");
            }
            Err(e)
        }
    }
}

async fn write_chunks<R: AsyncRead + Unpin>(
    ctx: &TenantCtx,
    p: &Parley,
    id: StoredFileId,
    first: Vec<u8>,
    rest: &mut R,
    max: u64,
) -> Result<(i64, i32, Option<u8>)> {
    let mut pending = first;
    let (mut size, mut seq, mut last) = (0u64, 0i32, None);
    loop {
        let ended = fill(rest, &mut pending, CHUNK).await?;
        let data: Vec<u8> = pending.drain(..pending.len().min(CHUNK)).collect();
        if data.is_empty() {
            break;
        }
        size += data.len() as u64;
        last = data.last().copied();
        if size > max {
            return Err(Error::invalid("file", format!("is larger than the {} MiB an upload may hold", max >> 20)));
        }
        let tx = p.tenant_tx(ctx).await?;
        append(&tx, id, seq, data).await?;
        tx.commit().await?;
        seq += 1;
        if ended && pending.is_empty() {
            break;
        }
    }
    Ok((i64::try_from(size).unwrap_or(i64::MAX), seq, last))
}

/// Appends chunk `seq` to file `id` inside the caller's transaction (an export writes
/// each batch's rows with the batch).
pub(crate) async fn append(tx: &TenantTx<'_>, id: StoredFileId, seq: i32, data: Vec<u8>) -> Result<()> {
    let chunk = file_chunk::ActiveModel {
        tenant_id: Set(tx.tenant_id()),
        id: Set(new_id()),
        file_id: Set(id),
        seq: Set(seq),
        data: Set(data),
    };
    file_chunk::Entity::insert(chunk).exec_without_returning(tx).await?;
    Ok(())
}

/// Creates an empty file for the caller to append to in its own transaction.
pub(crate) async fn create_in(tx: &TenantTx<'_>, name: &str, purpose: &str) -> Result<StoredFile> {
    let row = stored_file::ActiveModel {
        id: Set(new_id()),
        name: Set(name.to_owned()),
        purpose: Set(purpose.to_owned()),
        size_bytes: Set(0),
        chunks: Set(0),
        created_at: Set(now()),
        ..Default::default()
    };
    tx.create("file.stored", row).await
}

/// Records that `file` now holds `size` bytes in `chunks` chunks.
pub(crate) async fn set_size(tx: &TenantTx<'_>, id: StoredFileId, size: i64, chunks: i32) -> Result<()> {
    stored_file::Entity::update_many()
        .col_expr(stored_file::Column::SizeBytes, size.into())
        .col_expr(stored_file::Column::Chunks, chunks.into())
        .filter(stored_file::Column::TenantId.eq(tx.tenant_id()))
        .filter(stored_file::Column::Id.eq(id))
        .exec(tx)
        .await?;
    Ok(())
}

/// Removes a file and its chunks.
pub(crate) async fn remove(ctx: &TenantCtx, p: &Parley, id: StoredFileId) -> Result<()> {
    let tx = p.tenant_tx(ctx).await?;
    remove_in(&tx, id).await?;
    tx.commit().await
}

/// Removes a file and its chunks inside the caller's transaction.
pub(crate) async fn remove_in(tx: &TenantTx<'_>, id: StoredFileId) -> Result<()> {
    file_chunk::Entity::delete_many()
        .filter(file_chunk::Column::TenantId.eq(tx.tenant_id()))
        .filter(file_chunk::Column::FileId.eq(id))
        .exec(tx)
        .await?;
    stored_file::Entity::delete_many()
        .filter(stored_file::Column::TenantId.eq(tx.tenant_id()))
        .filter(stored_file::Column::Id.eq(id))
        .exec(tx)
        .await?;
    Ok(())
}

/// One file of the transaction's tenant.
pub(crate) async fn get_in(tx: &TenantTx<'_>, id: StoredFileId) -> Result<StoredFile> {
    tx.find::<stored_file::Entity>(id).await
}

/// The bytes of file `id` from byte `from` on, chunk by chunk, each read in a short
/// transaction of its own (a reader that stops early holds nothing).
pub(crate) fn stream(
    ctx: TenantCtx,
    p: Parley,
    id: StoredFileId,
    from: u64,
) -> impl Stream<Item = std::io::Result<Bytes>> + Send + Unpin + 'static {
    let seq = i32::try_from(from / CHUNK as u64).unwrap_or(i32::MAX);
    let skip = (from % CHUNK as u64) as usize;
    Box::pin(futures::stream::try_unfold((ctx, p, seq, skip), move |(ctx, p, seq, skip)| async move {
        let data = chunk(&ctx, &p, id, seq).await.map_err(std::io::Error::other)?;
        Ok(data.map(|d| {
            let bytes = Bytes::from(d).slice(skip.min(CHUNK)..);
            (bytes, (ctx, p, seq + 1, 0))
        }))
    }))
}

async fn chunk(ctx: &TenantCtx, p: &Parley, id: StoredFileId, seq: i32) -> Result<Option<Vec<u8>>> {
    let tx = p.tenant_tx(ctx).await?;
    let data: Option<Vec<u8>> = file_chunk::Entity::scoped(ctx)
        .filter(file_chunk::Column::FileId.eq(id))
        .filter(file_chunk::Column::Seq.eq(seq))
        .select_only()
        .column(file_chunk::Column::Data)
        .into_tuple()
        .one(&tx)
        .await?;
    tx.commit().await?;
    Ok(data)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_lose_their_paths_and_control_characters() {
        assert_eq!(clean_name("C:\\Users\\ann\\list.csv", "upload.csv"), "list.csv");
        assert_eq!(clean_name("../../etc/pass\"wd\n", "upload.csv"), "passwd");
        assert_eq!(clean_name("  ", "upload.csv"), "upload.csv");
    }

    #[tokio::test]
    async fn fill_reads_up_to_n_and_says_when_the_input_ended() {
        let mut input: &[u8] = b"abcdef";
        let mut buf = Vec::new();
        assert!(!fill(&mut input, &mut buf, 4).await.unwrap());
        assert_eq!(buf, b"abcd");
        assert!(fill(&mut input, &mut buf, 10).await.unwrap());
        assert_eq!(buf, b"abcdef");
    }
}
