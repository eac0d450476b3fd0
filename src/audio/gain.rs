//! Level: the gain an item plays at, applied after conversion to the output format.

/// Convert decibels to a linear amplitude factor.
pub fn db_to_linear(db: f32) -> f32 {
    10f32.powf(db / 20.0)
}

/// Convert a linear amplitude factor to decibels.
pub fn linear_to_db(linear: f32) -> f32 {
    20.0 * linear.max(1e-10).log10()
}

/// Applies a fixed gain and keeps samples inside full scale.
#[derive(Debug, Clone)]
pub struct GainStage {
    linear: f32,
}

impl GainStage {
    /// A stage applying `db` decibels (0 = unchanged).
    pub fn new(db: f32) -> Self {
        GainStage {
            linear: db_to_linear(db),
        }
    }

    /// Apply the gain in place.
    pub fn apply(&mut self, samples: &mut [f32]) {
        if self.linear == 1.0 {
            return;
        }
        for s in samples {
            *s = (*s * self.linear).clamp(-1.0, 1.0);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn six_db_doubles_amplitude() {
        assert!((db_to_linear(6.0206) - 2.0).abs() < 1e-3);
        assert!((linear_to_db(0.5) + 6.0206).abs() < 1e-3);
    }

    #[test]
    fn gain_never_leaves_full_scale() {
        let mut g = GainStage::new(20.0);
        let mut s = [0.5, -0.5, 0.01];
        g.apply(&mut s);
        assert_eq!(s[0], 1.0);
        assert_eq!(s[1], -1.0);
        assert!((s[2] - 0.1).abs() < 1e-6);
    }
}
