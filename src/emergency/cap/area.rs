//! Whether a CAP `<area>` covers this commune: its polygons and circles against
//! `emergency.location`, its name against `emergency.cap_areas` (ignoring case and tone marks,
//! so "Thành phố Hải Phòng" is found by "Hải Phòng"), its geocodes against the same list.
//!
//! Plain geometry on the CAP text; knows nothing of the rest of the alert.

use super::{Area, Refused, refuse};
use crate::model::GeoPoint;

/// Fewest points of a CAP polygon: a triangle and its first point again.
const MIN_POLYGON_POINTS: usize = 4;

/// What the commune answers to.
#[derive(Debug, Clone, Default)]
pub struct Place<'a> {
    /// The commune's centre (`emergency.location`).
    pub location: Option<GeoPoint>,
    /// Area names and geocode values (`emergency.cap_areas`).
    pub areas: &'a [String],
}

/// The shapes of an area, read and checked.
#[derive(Debug, Clone, PartialEq)]
pub struct Shapes {
    polygons: Vec<Vec<GeoPoint>>,
    circles: Vec<(GeoPoint, f64)>,
}

/// Read an area's polygons and circles, refusing one that is not a shape: a polygon that does
/// not close, a coordinate out of range, a radius that is not a distance.
pub fn shapes(area: &Area) -> Result<Shapes, Refused> {
    let polygons = area
        .polygon
        .iter()
        .map(|p| polygon(p, &area.desc))
        .collect::<Result<_, _>>()?;
    let circles = area
        .circle
        .iter()
        .map(|c| circle(c, &area.desc))
        .collect::<Result<_, _>>()?;
    Ok(Shapes { polygons, circles })
}

/// Whether `area` (with its `shapes`) covers `place`.
pub fn covers(area: &Area, shapes: &Shapes, place: &Place) -> bool {
    let inside = place.location.is_some_and(|at| {
        shapes.polygons.iter().any(|p| contains(p, at))
            || shapes
                .circles
                .iter()
                .any(|(centre, km)| centre.distance_km(&at) <= *km)
    });
    let name = crate::text::fold(&area.desc);
    inside
        || place.areas.iter().any(|mine| {
            let folded = crate::text::fold(mine);
            (!folded.is_empty() && name.contains(&folded))
                || area.geocode.iter().any(|g| g.value.trim() == mine.trim())
        })
}

/// One `lat,lon` pair of a shape in `area`.
fn point(pair: &str, area: &str) -> Result<GeoPoint, Refused> {
    pair.parse::<GeoPoint>().map_err(|why| {
        refuse(
            format!("vùng \"{area}\" có toạ độ sai: {why}"),
            format!("area \"{area}\" has a bad coordinate: {why}"),
        )
    })
}

/// A CAP polygon: space-separated `lat,lon` pairs, the last equal to the first.
fn polygon(text: &str, area: &str) -> Result<Vec<GeoPoint>, Refused> {
    let points = text
        .split_whitespace()
        .map(|pair| point(pair, area))
        .collect::<Result<Vec<_>, _>>()?;
    if points.len() < MIN_POLYGON_POINTS {
        return Err(refuse(
            format!(
                "đa giác của vùng \"{area}\" chỉ có {} điểm, cần ít nhất {MIN_POLYGON_POINTS} (điểm cuối trùng điểm đầu)",
                points.len()
            ),
            format!(
                "the polygon of area \"{area}\" has {} points; it needs at least {MIN_POLYGON_POINTS} (the last one repeating the first)",
                points.len()
            ),
        ));
    }
    if points.first() != points.last() {
        return Err(refuse(
            format!("đa giác của vùng \"{area}\" không khép kín: điểm cuối phải trùng điểm đầu"),
            format!(
                "the polygon of area \"{area}\" does not close: its last point must repeat its first"
            ),
        ));
    }
    Ok(points)
}

/// A CAP circle: `lat,lon radius` with the radius in kilometres.
fn circle(text: &str, area: &str) -> Result<(GeoPoint, f64), Refused> {
    let mut parts = text.split_whitespace();
    let (Some(centre), Some(radius), None) = (parts.next(), parts.next(), parts.next()) else {
        return Err(refuse(
            format!("hình tròn của vùng \"{area}\" phải là \"vĩ độ,kinh độ bán_kính_km\""),
            format!("the circle of area \"{area}\" must be \"lat,lon radius_km\""),
        ));
    };
    let centre = point(centre, area)?;
    match radius.parse::<f64>() {
        Ok(km) if km.is_finite() && km >= 0.0 => Ok((centre, km)),
        _ => Err(refuse(
            format!("bán kính \"{radius}\" của vùng \"{area}\" không phải số km"),
            format!("the radius \"{radius}\" of area \"{area}\" is not a distance in km"),
        )),
    }
}

/// Whether `at` is inside the closed ring `ring` (even-odd rule on latitude and longitude, as
/// flat as a province is; a ring crossing the 180° meridian is not expected in Vietnam).
fn contains(ring: &[GeoPoint], at: GeoPoint) -> bool {
    let mut inside = false;
    for edge in ring.windows(2) {
        let (a, b) = (edge[0], edge[1]);
        if (a.lat > at.lat) != (b.lat > at.lat) {
            let lon = a.lon + (at.lat - a.lat) / (b.lat - a.lat) * (b.lon - a.lon);
            if at.lon < lon {
                inside = !inside;
            }
        }
    }
    inside
}

#[cfg(test)]
mod tests {
    use super::super::Geocode;
    use super::*;

    fn area(desc: &str, polygon: &[&str], circle: &[&str]) -> Area {
        Area {
            desc: desc.into(),
            polygon: polygon.iter().map(|s| s.to_string()).collect(),
            circle: circle.iter().map(|s| s.to_string()).collect(),
            geocode: vec![Geocode {
                value_name: "MA_TINH".into(),
                value: "31".into(),
            }],
        }
    }

    /// Roughly Hải Phòng's coast, and a commune inside it and one in Hà Nội.
    const COAST: &str = "20.60,106.50 21.05,106.50 21.05,107.05 20.60,107.05 20.60,106.50";
    const XA: &str = "20.86,106.68";
    const HA_NOI: &str = "21.03,105.85";

    fn at(p: &str, areas: &[String]) -> bool {
        let a = area("Vùng biển", &[COAST], &["21.40,105.80 10"]);
        let shapes = shapes(&a).unwrap();
        let place = Place {
            location: Some(p.parse().unwrap()),
            areas,
        };
        covers(&a, &shapes, &place)
    }

    #[test]
    fn polygons_and_circles_contain_the_commune_or_not() {
        assert!(at(XA, &[]));
        assert!(!at(HA_NOI, &[]));
        assert!(at("21.45,105.85", &[]), "inside the 10 km circle");
        assert!(at(HA_NOI, &["31".into()]), "the geocode");
    }

    #[test]
    fn names_match_without_case_and_tone_marks() {
        let a = area("Thành phố Hải Phòng", &[], &[]);
        let s = shapes(&a).unwrap();
        let hai_phong = ["hai phong".to_string()];
        let ha_noi = ["Hà Nội".to_string(), " ".to_string()];
        fn place(areas: &[String]) -> Place<'_> {
            Place {
                location: None,
                areas,
            }
        }
        assert!(covers(&a, &s, &place(&hai_phong)));
        assert!(
            !covers(&a, &s, &place(&ha_noi)),
            "a blank name matches nothing"
        );
    }

    #[test]
    fn bad_shapes_are_refused_with_the_reason() {
        let open = area(
            "Xã A",
            &["20.6,106.5 21.0,106.5 21.0,107.0 20.6,107.0"],
            &[],
        );
        assert!(shapes(&open).unwrap_err().en.contains("does not close"));
        let short = area("Xã A", &["20.6,106.5 21.0,106.5 20.6,106.5"], &[]);
        assert!(shapes(&short).unwrap_err().en.contains("at least 4"));
        let far = area(
            "Xã A",
            &["95.0,106.5 21.0,106.5 21.0,107.0 95.0,106.5"],
            &[],
        );
        assert!(shapes(&far).unwrap_err().en.contains("latitude 95"));
        let lon = area("Xã A", &[], &["20.0,200.0 5"]);
        assert!(shapes(&lon).unwrap_err().en.contains("longitude 200"));
        let radius = area("Xã A", &[], &["20.0,106.0 -5"]);
        assert!(shapes(&radius).unwrap_err().en.contains("radius"));
        let words = area("Xã A", &["một hai ba"], &[]);
        assert!(shapes(&words).unwrap_err().en.contains("lat,lon"));
    }
}
