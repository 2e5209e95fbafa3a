//! Prints the metric glossary generated from the metric registry, the table
//! kept in `README.md`. `scripts/metric-glossary.sh` writes it there.

fn main() {
    print!("{}", salesim::metrics::glossary_markdown());
}
