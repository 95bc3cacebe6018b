//! TEMP stub (replaced by the rating branch)
use portico_protocol::{Micros, Rate};
pub struct RateIndex(Vec<Rate>);
impl RateIndex {
    pub fn new(r: Vec<Rate>) -> Self {
        RateIndex(r)
    }
}
pub struct RoutedCard<'a> {
    pub ratecard: &'a str,
    pub tech_prefix: &'a str,
    pub index: &'a RateIndex,
}
pub struct Priced {
    pub ratecard: String,
    pub tech_prefix: String,
    pub prefix: String,
    pub destination_name: String,
    pub rate_per_min: Micros,
    pub connect_fee: Micros,
    pub billed: u32,
    pub charge: Micros,
}
pub fn price(_r: &[RoutedCard], _d: &str, _s: i64, _b: u32, _a: bool) -> Option<Priced> {
    None
}
