//! The public file store: file names, what a file is (by content, never by name), and the rules
//! for logos.

use std::io::Cursor;

use imagesize::ImageType;
use portico_protocol::{
    AdminError, FileInfo, MAX_LOGO_BYTES, MAX_LOGO_WIDTH, MAX_PUBLIC_FILE_BYTES,
};

use super::text::shown;

/// Longest file name, in characters.
pub const MAX_FILE_NAME: usize = 128;

/// Media types a logo may have.
const LOGO_TYPES: &[&str] = &["image/png", "image/jpeg", "image/gif"];

/// What a file's content is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sniffed {
    /// The media type, e.g. `image/png` or `text/plain`.
    pub content_type: String,
    /// Pixel width, for raster images whose header could be read.
    pub width: Option<u32>,
    /// Pixel height, for raster images whose header could be read.
    pub height: Option<u32>,
}

/// Checks a file name of the public file store: 1 to 128 of `A-Z a-z 0-9 . _ -`, not starting
/// with `.` and without `..`. Returns it unchanged.
pub fn validate_file_name(name: &str) -> Result<String, AdminError> {
    let invalid = |reason: String| AdminError::invalid("name", reason);
    if name.is_empty() {
        return Err(invalid(
            "is empty; give a file name such as logo.png".to_string(),
        ));
    }
    let count = name.chars().count();
    if count > MAX_FILE_NAME {
        return Err(invalid(format!(
            "is {count} characters long; a file name may have at most {MAX_FILE_NAME}, so \
             shorten it"
        )));
    }
    if let Some(c) = name.chars().find(|c| !is_name_char(*c)) {
        return Err(invalid(format!(
            "{} contains {}; use only letters, digits, '.', '_' and '-', e.g. {}",
            shown(name),
            shown(&c.to_string()),
            shown(&suggest_name(name))
        )));
    }
    if name.starts_with('.') {
        return Err(invalid(format!(
            "{} starts with a dot; start it with a letter or digit, e.g. {}",
            shown(name),
            shown(&suggest_name(name))
        )));
    }
    if name.contains("..") {
        return Err(invalid(format!(
            "{} contains \"..\"; use single dots, e.g. {}",
            shown(name),
            shown(&suggest_name(name))
        )));
    }
    Ok(name.to_string())
}

fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-')
}

/// A name close to `name` that [`validate_file_name`] accepts (used in hints).
fn suggest_name(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        let c = if is_name_char(c) { c } else { '-' };
        if c == '.' && (out.is_empty() || out.ends_with('.')) {
            continue;
        }
        out.push(c);
    }
    let out: String = out.chars().take(MAX_FILE_NAME).collect();
    if out.is_empty() {
        "file.bin".to_string()
    } else {
        out
    }
}

/// Finds what a file is from its bytes alone: PNG, JPEG, GIF and WebP (with their pixel size),
/// SVG, UTF-8 text without NULs (`text/plain`), or `application/octet-stream`.
pub fn sniff(bytes: &[u8]) -> Sniffed {
    let raster = if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some(("image/png", ImageType::Png))
    } else if bytes.starts_with(b"\xFF\xD8\xFF") {
        Some(("image/jpeg", ImageType::Jpeg))
    } else if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
        Some(("image/gif", ImageType::Gif))
    } else if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        Some(("image/webp", ImageType::Webp))
    } else {
        None
    };
    if let Some((content_type, kind)) = raster {
        let mut cursor = Cursor::new(bytes);
        // imagesize reads the size from where its own type check left the cursor.
        let size = imagesize::reader_type(&mut cursor)
            .ok()
            .filter(|found| *found == kind)
            .and_then(|found| found.reader_size(&mut cursor).ok());
        return Sniffed {
            content_type: content_type.to_string(),
            width: size.and_then(|s| u32::try_from(s.width).ok()),
            height: size.and_then(|s| u32::try_from(s.height).ok()),
        };
    }
    let content_type = match std::str::from_utf8(bytes) {
        Ok(text) if !text.contains('\0') => {
            if is_svg(text) {
                "image/svg+xml"
            } else {
                "text/plain"
            }
        }
        _ => "application/octet-stream",
    };
    Sniffed {
        content_type: content_type.to_string(),
        width: None,
        height: None,
    }
}

fn is_svg(text: &str) -> bool {
    let start = text.trim_start_matches('\u{feff}').trim_start();
    start.starts_with("<svg") || (start.starts_with("<?xml") && start.contains("<svg"))
}

/// Checks a file for the public file store: not empty, at most
/// [`MAX_PUBLIC_FILE_BYTES`].
pub fn check_public_file(bytes: &[u8]) -> Result<(), AdminError> {
    if bytes.is_empty() {
        return Err(AdminError::invalid(
            "file",
            "is empty (0 bytes); check that you picked the right file",
        ));
    }
    if bytes.len() > MAX_PUBLIC_FILE_BYTES {
        return Err(AdminError::invalid(
            "file",
            format!(
                "is {}; the public file store takes files of at most {}, so make it smaller",
                human_bytes(bytes.len()),
                human_bytes(MAX_PUBLIC_FILE_BYTES)
            ),
        ));
    }
    Ok(())
}

/// Checks that a stored file can be a domain's logo: a PNG, JPEG or GIF (by content), at most
/// [`MAX_LOGO_WIDTH`] pixels wide and at most [`MAX_LOGO_BYTES`].
pub fn check_logo(info: &FileInfo) -> Result<(), AdminError> {
    let invalid = |reason: String| AdminError::invalid("logo", reason);
    let name = &info.name;
    if !LOGO_TYPES.contains(&info.content_type.as_str()) {
        let what = if info.content_type.starts_with("image/") {
            "an image type logos cannot use"
        } else {
            "not an image"
        };
        return Err(invalid(format!(
            "{name} is {}, {what}; upload a PNG, JPEG or GIF",
            info.content_type
        )));
    }
    let limit = u64::try_from(MAX_LOGO_BYTES).unwrap_or(u64::MAX);
    if info.size > limit {
        return Err(invalid(format!(
            "{name} is {}; a logo may be at most {}, so compress it or save it with fewer colours",
            human_bytes(usize::try_from(info.size).unwrap_or(usize::MAX)),
            human_bytes(MAX_LOGO_BYTES)
        )));
    }
    match info.width {
        None => Err(invalid(format!(
            "{name} looks like {} but its size cannot be read (the file may be cut short); \
             export it again",
            info.content_type
        ))),
        Some(width) if width > MAX_LOGO_WIDTH => Err(invalid(format!(
            "{name} is {width} pixels wide; resize it to at most {MAX_LOGO_WIDTH} pixels wide"
        ))),
        Some(_) => Ok(()),
    }
}

/// A byte count for people: `512 bytes`, `300 KiB`, `1.5 MiB`.
fn human_bytes(n: usize) -> String {
    const KIB: usize = 1024;
    const MIB: usize = 1024 * 1024;
    if n < KIB {
        format!("{n} bytes")
    } else if n < MIB {
        format!("{} KiB", n.div_ceil(KIB))
    } else {
        // One decimal, rounded up so that a file just over a limit never reads as the limit.
        let tenths = n.saturating_mul(10).div_ceil(MIB);
        if tenths.is_multiple_of(10) {
            format!("{} MiB", tenths / 10)
        } else {
            format!("{}.{} MiB", tenths / 10, tenths % 10)
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn reason(err: AdminError) -> (String, String) {
        match err {
            AdminError::Invalid { field, reason } => (field, reason),
            other => panic!("expected Invalid, got {other:?}"),
        }
    }

    /// A PNG signature and IHDR chunk (enough for every reader of the header).
    fn png(width: u32, height: u32) -> Vec<u8> {
        let mut b = b"\x89PNG\r\n\x1a\n".to_vec();
        b.extend_from_slice(&13u32.to_be_bytes());
        b.extend_from_slice(b"IHDR");
        b.extend_from_slice(&width.to_be_bytes());
        b.extend_from_slice(&height.to_be_bytes());
        b.extend_from_slice(&[8, 6, 0, 0, 0]);
        b.extend_from_slice(&[0, 0, 0, 0]); // CRC (not checked by sniffing)
        b
    }

    /// A GIF89a header with its logical screen size.
    fn gif(width: u16, height: u16) -> Vec<u8> {
        let mut b = b"GIF89a".to_vec();
        b.extend_from_slice(&width.to_le_bytes());
        b.extend_from_slice(&height.to_le_bytes());
        b.extend_from_slice(&[0, 0, 0]);
        b.push(0x3B);
        b
    }

    /// A JFIF JPEG with an APP0 segment and a baseline SOF0 frame header.
    fn jpeg(width: u16, height: u16) -> Vec<u8> {
        let mut b = vec![0xFF, 0xD8];
        b.extend_from_slice(&[0xFF, 0xE0, 0x00, 0x10]);
        b.extend_from_slice(b"JFIF\0");
        b.extend_from_slice(&[1, 1, 0, 0, 1, 0, 1, 0, 0]);
        b.extend_from_slice(&[0xFF, 0xC0, 0x00, 0x11, 0x08]);
        b.extend_from_slice(&height.to_be_bytes());
        b.extend_from_slice(&width.to_be_bytes());
        b.extend_from_slice(&[3, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1]);
        b.extend_from_slice(&[0xFF, 0xD9]);
        b
    }

    /// A lossless WebP (VP8L) header.
    fn webp(width: u32, height: u32) -> Vec<u8> {
        let mut b = b"RIFF".to_vec();
        b.extend_from_slice(&26u32.to_le_bytes());
        b.extend_from_slice(b"WEBPVP8L");
        b.extend_from_slice(&5u32.to_le_bytes());
        b.push(0x2F);
        let bits = (width - 1) | ((height - 1) << 14);
        b.extend_from_slice(&bits.to_le_bytes());
        b
    }

    fn info(name: &str, bytes: &[u8]) -> FileInfo {
        let s = sniff(bytes);
        FileInfo {
            name: name.to_string(),
            size: bytes.len() as u64,
            content_type: s.content_type,
            width: s.width,
            height: s.height,
            sha256: String::new(),
            uploaded_at: 0,
        }
    }

    #[test]
    fn accepts_plain_file_names() {
        for name in [
            "logo.png",
            "Logo_2-final.PNG",
            "a",
            "x.y.z",
            "brand-logo.v2.gif",
        ] {
            assert_eq!(validate_file_name(name).unwrap(), name);
        }
        let longest = "a".repeat(MAX_FILE_NAME);
        assert!(validate_file_name(&longest).is_ok());
    }

    #[test]
    fn refuses_bad_file_names_with_a_suggestion() {
        let (field, text) = reason(validate_file_name("").unwrap_err());
        assert_eq!(field, "name");
        assert!(text.contains("empty"), "{text}");

        let (_, text) = reason(validate_file_name(&"a".repeat(129)).unwrap_err());
        assert!(text.contains("129 characters"), "{text}");
        assert!(text.contains("at most 128"), "{text}");

        let (_, text) = reason(validate_file_name("my logo.png").unwrap_err());
        assert!(text.contains("contains \" \""), "{text}");
        assert!(text.contains("e.g. \"my-logo.png\""), "{text}");

        assert!(validate_file_name("../etc/passwd").is_err());
        assert!(validate_file_name("dir/logo.png").is_err());
        assert!(validate_file_name("logö.png").is_err());

        let (_, text) = reason(validate_file_name(".htaccess").unwrap_err());
        assert!(text.contains("starts with a dot"), "{text}");
        assert!(text.contains("\"htaccess\""), "{text}");

        let (_, text) = reason(validate_file_name("logo..png").unwrap_err());
        assert!(text.contains("\"..\""), "{text}");
        assert!(text.contains("\"logo.png\""), "{text}");
    }

    #[test]
    fn suggestions_are_valid_names() {
        for bad in ["my logo.png", ".htaccess", "logo..png", "..", "ü", " "] {
            let s = suggest_name(bad);
            assert!(validate_file_name(&s).is_ok(), "{bad:?} -> {s:?}");
        }
    }

    #[test]
    fn sniffs_raster_images_with_their_size() {
        let s = sniff(&png(320, 100));
        assert_eq!(s.content_type, "image/png");
        assert_eq!((s.width, s.height), (Some(320), Some(100)));

        let s = sniff(&gif(200, 50));
        assert_eq!(s.content_type, "image/gif");
        assert_eq!((s.width, s.height), (Some(200), Some(50)));

        let s = sniff(&jpeg(640, 480));
        assert_eq!(s.content_type, "image/jpeg");
        assert_eq!((s.width, s.height), (Some(640), Some(480)));

        let s = sniff(&webp(16, 9));
        assert_eq!(s.content_type, "image/webp");
        assert_eq!((s.width, s.height), (Some(16), Some(9)));
    }

    #[test]
    fn a_truncated_image_keeps_its_type_without_a_size() {
        let s = sniff(b"\x89PNG\r\n\x1a\n");
        assert_eq!(s.content_type, "image/png");
        assert_eq!((s.width, s.height), (None, None));
    }

    #[test]
    fn sniffs_svg_text_and_binary() {
        let svg = sniff(b"<svg xmlns=\"http://www.w3.org/2000/svg\"/>");
        assert_eq!(svg.content_type, "image/svg+xml");
        let svg = sniff(b"\xEF\xBB\xBF  <?xml version=\"1.0\"?>\n<svg/>");
        assert_eq!(svg.content_type, "image/svg+xml");
        assert_eq!(
            sniff(b"<?xml version=\"1.0\"?><note/>").content_type,
            "text/plain"
        );
        assert_eq!(
            sniff("hello, wörld\n".as_bytes()).content_type,
            "text/plain"
        );
        assert_eq!(sniff(b"a\0b").content_type, "application/octet-stream");
        assert_eq!(
            sniff(&[0xC3, 0x28]).content_type,
            "application/octet-stream"
        );
        assert_eq!(sniff(b"GIF8").content_type, "text/plain");
    }

    #[test]
    fn public_files_are_non_empty_and_bounded() {
        assert!(check_public_file(b"x").is_ok());
        assert!(check_public_file(&vec![0; MAX_PUBLIC_FILE_BYTES]).is_ok());
        let (field, text) = reason(check_public_file(b"").unwrap_err());
        assert_eq!(field, "file");
        assert!(text.contains("empty"), "{text}");
        let (_, text) = reason(check_public_file(&vec![0; MAX_PUBLIC_FILE_BYTES + 1]).unwrap_err());
        assert!(text.contains("8.1 MiB"), "{text}");
        assert!(text.contains("at most 8 MiB"), "{text}");
    }

    #[test]
    fn accepts_png_jpeg_and_gif_logos() {
        assert!(check_logo(&info("logo.png", &png(350, 80))).is_ok());
        assert!(check_logo(&info("logo.jpg", &jpeg(200, 80))).is_ok());
        assert!(check_logo(&info("logo.gif", &gif(1, 1))).is_ok());
    }

    #[test]
    fn logo_type_is_found_by_content_not_by_name() {
        let png_named_jpg = info("logo.jpg", &png(100, 40));
        assert_eq!(png_named_jpg.content_type, "image/png");
        assert!(check_logo(&png_named_jpg).is_ok());

        let text_named_png = info("logo.png", b"definitely not an image\n");
        let (field, text) = reason(check_logo(&text_named_png).unwrap_err());
        assert_eq!(field, "logo");
        assert_eq!(
            text,
            "logo.png is text/plain, not an image; upload a PNG, JPEG or GIF"
        );
    }

    #[test]
    fn refuses_svg_and_webp_logos() {
        let (_, text) = reason(check_logo(&info("logo.svg", b"<svg/>")).unwrap_err());
        assert!(text.contains("image/svg+xml"), "{text}");
        assert!(text.contains("upload a PNG, JPEG or GIF"), "{text}");
        assert!(check_logo(&info("logo.webp", &webp(10, 10))).is_err());
        assert!(check_logo(&info("logo.bin", &[0xC3, 0x28])).is_err());
    }

    #[test]
    fn refuses_wide_logos_naming_the_width() {
        let (_, text) = reason(check_logo(&info("wide.png", &png(351, 80))).unwrap_err());
        assert_eq!(
            text,
            "wide.png is 351 pixels wide; resize it to at most 350 pixels wide"
        );
        assert!(check_logo(&info("wide.gif", &gif(1200, 10))).is_err());
        assert!(check_logo(&info("wide.jpg", &jpeg(800, 10))).is_err());
    }

    #[test]
    fn refuses_logos_whose_size_cannot_be_read() {
        let (_, text) = reason(check_logo(&info("cut.png", b"\x89PNG\r\n\x1a\n")).unwrap_err());
        assert!(text.contains("cannot be read"), "{text}");
    }

    #[test]
    fn refuses_heavy_logos() {
        let mut bytes = png(100, 40);
        bytes.resize(MAX_LOGO_BYTES + 1, 0);
        let (_, text) = reason(check_logo(&info("heavy.png", &bytes)).unwrap_err());
        assert!(text.contains("heavy.png is 1.1 MiB"), "{text}");
        assert!(text.contains("at most 1 MiB"), "{text}");
        bytes.truncate(MAX_LOGO_BYTES);
        assert!(check_logo(&info("ok.png", &bytes)).is_ok());
    }

    #[test]
    fn human_sizes() {
        assert_eq!(human_bytes(12), "12 bytes");
        assert_eq!(human_bytes(1024), "1 KiB");
        assert_eq!(human_bytes(1025), "2 KiB");
        assert_eq!(human_bytes(1024 * 1024), "1 MiB");
        assert_eq!(human_bytes(1536 * 1024), "1.5 MiB");
    }
}
