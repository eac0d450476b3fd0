//! A place on the earth, as `emergency.location` and CAP alerts write it: `"lat,lon"` in
//! decimal degrees (WGS 84), and the distance between two of them.
//! Plain geometry: it knows nothing of CAP documents, config files or the store.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::Said;

/// The earth's mean radius, in kilometres (CAP circles give their radius in km).
const EARTH_RADIUS_KM: f64 = 6371.0088;

/// A point in decimal degrees: latitude −90…90, longitude −180…180.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct GeoPoint {
    /// North is positive.
    pub lat: f64,
    /// East is positive.
    pub lon: f64,
}

impl GeoPoint {
    /// A point, if both coordinates are in range.
    pub fn new(lat: f64, lon: f64) -> Result<GeoPoint, Said> {
        if !(-90.0..=90.0).contains(&lat) {
            return Err(crate::model::said!(
                "vĩ độ {lat} nằm ngoài −90…90",
                "latitude {lat} is outside −90…90"
            ));
        }
        if !(-180.0..=180.0).contains(&lon) {
            return Err(crate::model::said!(
                "kinh độ {lon} nằm ngoài −180…180",
                "longitude {lon} is outside −180…180"
            ));
        }
        Ok(GeoPoint { lat, lon })
    }

    /// The great-circle distance to `other`, in kilometres (haversine).
    pub fn distance_km(&self, other: &GeoPoint) -> f64 {
        let (la1, la2) = (self.lat.to_radians(), other.lat.to_radians());
        let dla = la2 - la1;
        let dlo = (other.lon - self.lon).to_radians();
        let h = (dla / 2.0).sin().powi(2) + la1.cos() * la2.cos() * (dlo / 2.0).sin().powi(2);
        2.0 * EARTH_RADIUS_KM * h.sqrt().min(1.0).asin()
    }
}

impl FromStr for GeoPoint {
    type Err = Said;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let unreadable = || {
            crate::model::said!(
                "\"{s}\" không phải \"vĩ độ,kinh độ\" (ví dụ \"20.86,106.68\")",
                "\"{s}\" is not \"lat,lon\" (e.g. \"20.86,106.68\")"
            )
        };
        let (lat, lon) = s.trim().split_once(',').ok_or_else(unreadable)?;
        let number = |t: &str| {
            t.trim()
                .parse::<f64>()
                .ok()
                .filter(|v| v.is_finite())
                .ok_or_else(unreadable)
        };
        GeoPoint::new(number(lat)?, number(lon)?)
    }
}

impl fmt::Display for GeoPoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{},{}", self.lat, self.lon)
    }
}

impl TryFrom<String> for GeoPoint {
    type Error = Said;

    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl From<GeoPoint> for String {
    fn from(p: GeoPoint) -> String {
        p.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn points_read_back_and_refuse_what_is_out_of_range() {
        let p: GeoPoint = " 20.86 , 106.68 ".parse().unwrap();
        assert_eq!((p.lat, p.lon), (20.86, 106.68));
        assert_eq!(p.to_string().parse::<GeoPoint>().unwrap(), p);
        assert!(
            "91,10"
                .parse::<GeoPoint>()
                .unwrap_err()
                .en()
                .contains("latitude")
        );
        assert!(
            "10,181"
                .parse::<GeoPoint>()
                .unwrap_err()
                .en()
                .contains("longitude")
        );
        assert!(
            "Hải Phòng"
                .parse::<GeoPoint>()
                .unwrap_err()
                .en()
                .contains("lat,lon")
        );
        assert!("NaN,1".parse::<GeoPoint>().is_err());
    }

    #[test]
    fn hai_phong_to_hanoi_is_about_a_hundred_km() {
        let hai_phong = GeoPoint::new(20.8449, 106.6881).unwrap();
        let ha_noi = GeoPoint::new(21.0285, 105.8542).unwrap();
        let d = hai_phong.distance_km(&ha_noi);
        assert!((85.0..95.0).contains(&d), "{d}");
    }
}
