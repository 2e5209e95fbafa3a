//! Random streams: no global generator; every stream derives from the seed,
//! the replication and a key, so results never depend on threads or on the
//! order in which work runs.
//!
//! Lead attributes and every draw made for a lead come from streams keyed by
//! the lead's arrival ordinal and a purpose, so two scenarios that differ only
//! in, say, a gate threshold see the same leads (common random numbers).

use rand::RngCore;

/// The generator behind every stream: xoshiro256++ (Blackman and Vigna),
/// seeded from one `u64` through SplitMix64. It is the same generator, state
/// for state and draw for draw, as `rand_xoshiro::Xoshiro256PlusPlus` seeded
/// with `seed_from_u64` (a test compares them), built here so that a stream's
/// four state words are computed directly: a lead seeds eight streams, and
/// the byte round trip of `SeedableRng` cost a tenth of a replication.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stream {
    s: [u64; 4],
}

/// SplitMix64's increment (the golden ratio in 64-bit fixed point).
const PHI: u64 = 0x9E37_79B9_7F4A_7C15;

impl Stream {
    /// The stream that `Xoshiro256PlusPlus::seed_from_u64(h)` gives: four
    /// SplitMix64 outputs from state `h` (an all-zero state, which
    /// xoshiro cannot leave, is replaced by the seeding of 0, as there).
    #[inline]
    pub fn from_u64(h: u64) -> Self {
        // `black_box` keeps each input in a general register: otherwise the
        // compiler pairs the four mixes into SSE2 lanes, where a 64-bit
        // multiply takes three 32-bit ones and a dozen shuffles (x86-64
        // without AVX-512), and seeding costs twice as much.
        let m = |k: u64| mix(std::hint::black_box(h.wrapping_add(PHI.wrapping_mul(k))));
        let s = [m(0), m(1), m(2), m(3)];
        if s == [0; 4] {
            return Stream::from_u64(0);
        }
        Stream { s }
    }
}

impl RngCore for Stream {
    #[inline]
    fn next_u32(&mut self) -> u32 {
        // The upper bits, as rand_xoshiro does: the lowest have linear
        // dependencies.
        (self.next_u64() >> 32) as u32
    }

    #[inline]
    fn next_u64(&mut self) -> u64 {
        let s = &mut self.s;
        let result = s[0].wrapping_add(s[3]).rotate_left(23).wrapping_add(s[0]);
        let t = s[1] << 17;
        s[2] ^= s[0];
        s[3] ^= s[1];
        s[1] ^= s[2];
        s[0] ^= s[3];
        s[2] ^= t;
        s[3] = s[3].rotate_left(45);
        result
    }

    #[inline]
    fn fill_bytes(&mut self, dest: &mut [u8]) {
        rand::rand_core::impls::fill_bytes_via_next(self, dest);
    }
}

/// What a stream is for; part of its key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u64)]
pub enum Purpose {
    /// Arrival times (one stream per replication).
    Arrivals = 1,
    /// A lead's segment and true fit.
    Attributes = 2,
    /// A lead's manual counterfactual.
    Counterfactual = 3,
    /// A lead's stage durations.
    Durations = 4,
    /// A lead's provider call outcomes and latencies.
    Providers = 5,
    /// A lead's scoring noise.
    Scoring = 6,
    /// A lead's review: durations, judgement, edit.
    Review = 7,
    /// A lead's email outcome: bounce, reply, conversation.
    Email = 8,
    /// A lead's nurture engagement.
    Nurture = 9,
    /// A rep's other-work periods (keyed by the rep's index).
    OtherWork = 10,
    /// A lead's follow-up sequence, apart from its first email's draws.
    FollowUps = 11,
}

/// SplitMix64's finaliser: a bijective 64-bit mix with good avalanche.
#[inline]
fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(PHI);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The part of a stream's key fixed by the seed and the replication, mixed
/// once per replication instead of once per stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReplicationKey(u64);

impl ReplicationKey {
    /// The key of replication `replication` under `seed`.
    pub fn new(seed: u64, replication: u32) -> Self {
        ReplicationKey(mix(mix(seed) ^ u64::from(replication)))
    }

    /// The streams of `key` (a lead's arrival ordinal, or 0).
    #[inline]
    pub fn key(self, key: u64) -> StreamKey {
        StreamKey(mix(self.0 ^ key))
    }
}

/// The part of a stream's key fixed by the seed, the replication and a key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StreamKey(u64);

impl StreamKey {
    /// The stream for `purpose`.
    #[inline]
    pub fn stream(self, purpose: Purpose) -> Stream {
        Stream::from_u64(mix(self.0 ^ purpose as u64))
    }
}

/// The stream for `(seed, replication, key, purpose)`.
pub fn stream(seed: u64, replication: u32, key: u64, purpose: Purpose) -> Stream {
    ReplicationKey::new(seed, replication)
        .key(key)
        .stream(purpose)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::Rng;

    #[test]
    fn streams_differ_by_every_part_of_the_key() {
        let first = |s: &mut Stream| s.random::<u64>();
        let base = first(&mut stream(1, 0, 0, Purpose::Durations));
        assert_eq!(base, first(&mut stream(1, 0, 0, Purpose::Durations)));
        assert_ne!(base, first(&mut stream(2, 0, 0, Purpose::Durations)));
        assert_ne!(base, first(&mut stream(1, 1, 0, Purpose::Durations)));
        assert_ne!(base, first(&mut stream(1, 0, 1, Purpose::Durations)));
        assert_ne!(base, first(&mut stream(1, 0, 0, Purpose::Review)));
    }

    /// The stream is rand_xoshiro's xoshiro256++ seeded by `seed_from_u64`
    /// from the same key hash, state for state and draw for draw, so the
    /// results of every scenario are those of the crate's generator.
    #[test]
    fn streams_are_rand_xoshiro_seeded_from_the_same_hash() {
        use rand::SeedableRng;
        use rand_xoshiro::Xoshiro256PlusPlus;
        let reference = |seed: u64, replication: u32, key: u64, purpose: Purpose| {
            let h = mix(mix(mix(mix(seed) ^ u64::from(replication)) ^ key) ^ purpose as u64);
            Xoshiro256PlusPlus::seed_from_u64(h)
        };
        let mut checked = 0;
        for seed in [0, 1, 20261124, u64::MAX, 1 << 63] {
            for replication in [0, 1, 7, u32::MAX] {
                for key in [0, 1, 2, 15_605, u64::MAX] {
                    for purpose in [Purpose::Arrivals, Purpose::Durations, Purpose::Nurture] {
                        let mut ours = stream(seed, replication, key, purpose);
                        let mut theirs = reference(seed, replication, key, purpose);
                        for _ in 0..20 {
                            assert_eq!(ours.next_u64(), theirs.next_u64());
                        }
                        assert_eq!(ours.next_u32(), theirs.next_u32());
                        let (mut a, mut b) = ([0u8; 13], [0u8; 13]);
                        ours.fill_bytes(&mut a);
                        theirs.fill_bytes(&mut b);
                        assert_eq!(a, b);
                        assert_eq!(ours.random::<f64>(), theirs.random::<f64>());
                        checked += 1;
                    }
                }
            }
        }
        assert_eq!(checked, 5 * 4 * 5 * 3);
        // The seeding of any hash, the zero state's replacement included.
        for h in [0, 1, PHI.wrapping_neg(), u64::MAX, 0xDEAD_BEEF] {
            let mut ours = Stream::from_u64(h);
            let mut theirs = Xoshiro256PlusPlus::seed_from_u64(h);
            for _ in 0..8 {
                assert_eq!(ours.next_u64(), theirs.next_u64());
            }
        }
    }
}
