//! Uploaded images: recognising them by their bytes (the file name and the
//! client's content type are not trusted), storing them under the data
//! directory, and where they are served. The HTTP transport serves the
//! directory (`http/uploads.rs`); the API stores into it.

use std::{
    io::{Read, Seek, SeekFrom},
    path::Path,
};

use rand::{Rng, distributions::Alphanumeric};

/// URL path under which stored images are served.
pub const UPLOADS_PATH: &str = "/uploads";

/// An accepted image format.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ImageFormat {
    Png,
    Jpeg,
    Gif,
    Webp,
}

impl ImageFormat {
    /// The file extension, which also decides the served content type.
    pub fn extension(self) -> &'static str {
        match self {
            ImageFormat::Png => "png",
            ImageFormat::Jpeg => "jpg",
            ImageFormat::Gif => "gif",
            ImageFormat::Webp => "webp",
        }
    }
}

/// The image format of a file, from its first bytes (the file name and
/// the client's content type are not trusted).
pub fn sniff_image(head: &[u8]) -> Option<ImageFormat> {
    if head.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some(ImageFormat::Png)
    } else if head.starts_with(b"\xff\xd8\xff") {
        Some(ImageFormat::Jpeg)
    } else if head.starts_with(b"GIF87a") || head.starts_with(b"GIF89a") {
        Some(ImageFormat::Gif)
    } else if head.len() >= 12 && &head[0..4] == b"RIFF" && &head[8..12] == b"WEBP" {
        Some(ImageFormat::Webp)
    } else {
        None
    }
}

/// Why an upload was refused.
#[derive(Debug)]
pub enum UploadRejected {
    NotAnImage,
    TooLarge(u64),
    Io(std::io::Error),
}

impl From<std::io::Error> for UploadRejected {
    fn from(err: std::io::Error) -> Self {
        UploadRejected::Io(err)
    }
}

/// Checks and copies an uploaded file into `dir` under a fresh random
/// name; returns that name.
pub async fn store_image(
    dir: &Path,
    max_bytes: u64,
    mut file: std::fs::File,
) -> Result<String, UploadRejected> {
    let dir = dir.to_owned();
    tokio::task::spawn_blocking(move || {
        let size = file.metadata()?.len();
        if size > max_bytes {
            return Err(UploadRejected::TooLarge(max_bytes));
        }
        let mut head = [0u8; 12];
        let n = read_up_to(&mut file, &mut head)?;
        let format = sniff_image(&head[..n]).ok_or(UploadRejected::NotAnImage)?;
        file.seek(SeekFrom::Start(0))?;
        std::fs::create_dir_all(&dir)?;
        let stem: String = rand::thread_rng()
            .sample_iter(&Alphanumeric)
            .take(24)
            .map(char::from)
            .collect();
        let name = format!("{stem}.{}", format.extension());
        let mut out = std::fs::File::create_new(dir.join(&name))?;
        std::io::copy(&mut file, &mut out)?;
        out.sync_all()?;
        Ok(name)
    })
    .await
    .map_err(|e| UploadRejected::Io(std::io::Error::other(e)))?
}

fn read_up_to(file: &mut std::fs::File, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match file.read(&mut buf[filled..])? {
            0 => break,
            n => filled += n,
        }
    }
    Ok(filled)
}

/// Deletes a stored upload whose row was never written.
pub async fn remove(dir: &Path, name: &str) {
    if let Err(err) = tokio::fs::remove_file(dir.join(name)).await {
        tracing::warn!(error = %err, file = name, "could not remove an orphaned upload");
    }
}

/// The public URL of a stored upload.
pub fn url_of(name: &str) -> String {
    format!("{UPLOADS_PATH}/{name}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn images_are_recognised_by_their_bytes() {
        assert_eq!(
            sniff_image(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"),
            Some(ImageFormat::Png)
        );
        assert_eq!(
            sniff_image(b"\xff\xd8\xff\xe0\0\x10JFIF"),
            Some(ImageFormat::Jpeg)
        );
        assert_eq!(sniff_image(b"GIF89a\x01\0\x01\0"), Some(ImageFormat::Gif));
        assert_eq!(
            sniff_image(b"RIFF\x24\0\0\0WEBPVP8 "),
            Some(ImageFormat::Webp)
        );
        assert_eq!(sniff_image(b"<svg xmlns="), None);
        assert_eq!(sniff_image(b"RIFF\x24\0\0\0WAVEfmt "), None);
        assert_eq!(sniff_image(b""), None);
    }
}
