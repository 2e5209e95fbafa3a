//! The report's font, embedded in the binary (DejaVu Sans, Bitstream Vera
//! licence in `assets/fonts/`): charts render the same on every machine,
//! with no system font library, and the page carries it for its SVGs.

use std::sync::Once;

/// The family name charts and the page use.
pub const FONT: &str = "salesim-sans";

/// The font file's bytes.
pub const FONT_BYTES: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");

/// Registers the embedded font with plotters, once per process.
pub fn ensure_font() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        // The embedded font is known to parse; a failure would only mean
        // charts without text, which their tests would catch.
        let _ =
            plotters::style::register_font(FONT, plotters::style::FontStyle::Normal, FONT_BYTES);
    });
}
