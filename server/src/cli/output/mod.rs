//! Output formats of `check`.

mod github;
mod human;
mod json;
mod sarif;

use super::Format;
use super::report::CheckReport;

/// Renders a report in `format`.
pub fn render(report: &CheckReport, format: Format) -> String {
    match format {
        Format::Human => human::render(report),
        Format::Json => json::render(report),
        Format::Sarif => sarif::render(report),
        Format::Github => github::render(report),
    }
}
