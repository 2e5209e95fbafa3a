//! The manual counterfactual: the prep work a lead would have cost a rep in
//! today's manual process (docs/MODEL.md section 5), drawn from the lead's own
//! stream so that it never perturbs the simulated run.

use rand::Rng;
use rand_distr::StandardNormal;

use crate::rng::Stream;
use crate::scenario::Scenario;

/// Seconds of manual prep work for a lead of true fit `fit`: lookup and
/// enrichment always; scoring if the rep finds a contact (probability: the
/// waterfall's coverage); drafting if, in addition, the rep's own score is at
/// or above today's triage threshold (`baseline.triage_below`, held fixed:
/// nothing in `gate` or `review` moves the baseline). Every draw is made
/// whatever the outcome, so the stream stays aligned across scenarios.
pub fn manual_prep_seconds(sc: &Scenario, fit: f64, rng: &mut Stream) -> f64 {
    let lookup = sc.lookup.manual.sample(rng);
    let enrichment = sc.enrichment.manual.sample(rng);
    let scoring = sc.scoring.manual.sample(rng);
    let drafting = sc.drafting.manual.sample(rng);
    let found = rng.random::<f64>() < sc.enrichment.coverage();
    let z: f64 = rng.sample(StandardNormal);
    let own_score = (fit + sc.scoring.manual_noise_sd * z).clamp(0.0, 1.0);
    let mut total = lookup + enrichment;
    if found {
        total += scoring;
        if own_score >= sc.baseline.triage_below {
            total += drafting;
        }
    }
    total
}
