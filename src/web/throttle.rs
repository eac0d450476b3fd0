//! Sign-in throttling: what a burst of password guesses may cost the Pi and the accounts.
//!
//! Each try is counted against its client address *before* its password is checked, under one
//! lock, so a parallel burst cannot slip past the count. After [`SignInGate::FREE_TRIES`]
//! failures an address waits (1 s, 2 s, 4 s… up to [`SignInGate::MAX_WAIT`]) before its next
//! try; a success forgets its failures. Names are never locked: a guesser cannot keep the
//! operator on duty out. argon2 runs at most [`SignInGate::AT_ONCE`] at a time (each takes
//! 19 MiB; a Pi may have 512 MB), and the table forgets quiet addresses.
//!
//! Owns only counting and the argon2 slots; which address a request comes from is
//! `auth::client_addr`'s, and checking the password is `station::accounts`'.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use tokio::sync::Semaphore;

use super::error::AppError;

/// One address's recent failures.
#[derive(Debug, Clone, Copy)]
struct Backoff {
    /// Tries counted (a try in progress counts as failed until it succeeds).
    failures: u32,
    /// No try is taken before this.
    until: Instant,
    /// The latest try.
    last: Instant,
}

/// The table of addresses and the argon2 slots. One per service.
#[derive(Debug)]
pub struct SignInGate {
    clients: Mutex<Table>,
    argon: Semaphore,
    checks: AtomicU64,
}

#[derive(Debug)]
struct Table {
    backoff: HashMap<IpAddr, Backoff>,
    swept: Instant,
}

/// A try that was let through: it stays counted as a failure unless [`Self::succeeded`].
#[derive(Debug)]
#[must_use]
pub struct Ticket {
    client: IpAddr,
}

impl Default for SignInGate {
    fn default() -> Self {
        SignInGate {
            clients: Mutex::new(Table {
                backoff: HashMap::new(),
                swept: Instant::now(),
            }),
            argon: Semaphore::new(Self::AT_ONCE),
            checks: AtomicU64::new(0),
        }
    }
}

impl SignInGate {
    /// Failed tries an address gets before it has to wait.
    pub const FREE_TRIES: u32 = 5;
    /// The longest wait.
    pub const MAX_WAIT: Duration = Duration::from_secs(15 * 60);
    /// An address quiet this long (and not waiting) is forgotten.
    pub const FORGET_AFTER: Duration = Duration::from_secs(60 * 60);
    /// Addresses remembered at most; past this the quietest half is forgotten.
    pub const MAX_CLIENTS: usize = 20_000;
    /// argon2 checks run at once.
    pub const AT_ONCE: usize = 2;

    /// How long an address waits after `failures` failed tries.
    pub fn wait_after(failures: u32) -> Duration {
        match failures.checked_sub(Self::FREE_TRIES) {
            None => Duration::ZERO,
            Some(over) => Duration::from_secs(1u64 << over.min(20)).min(Self::MAX_WAIT),
        }
    }

    /// Count a try from `client` at `now`: a ticket, or how long it must wait first.
    pub fn admit(&self, client: IpAddr, now: Instant) -> Result<Ticket, Duration> {
        let mut table = self.clients.lock().unwrap_or_else(|e| e.into_inner());
        table.sweep(now);
        let entry = table.backoff.entry(client).or_insert(Backoff {
            failures: 0,
            until: now,
            last: now,
        });
        if now < entry.until {
            metrics::counter!(crate::ops::metrics::SIGN_IN_REFUSED).increment(1);
            return Err(entry.until - now);
        }
        entry.failures = entry.failures.saturating_add(1);
        entry.last = now;
        entry.until = now + Self::wait_after(entry.failures);
        Ok(Ticket { client })
    }

    /// Run the password check `f` (argon2) on a blocking thread when a slot is free, counting
    /// the argon2 verifications it really ran.
    pub async fn check<T: Send + 'static>(
        &self,
        f: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, AppError> {
        let _slot = self
            .argon
            .acquire()
            .await
            .map_err(|e| AppError::Internal(e.to_string()))?;
        let (out, ran) = tokio::task::spawn_blocking(move || {
            let before = crate::accounts::verifications_here();
            let out = f();
            (out, crate::accounts::verifications_here() - before)
        })
        .await?;
        self.checks.fetch_add(ran, Ordering::Relaxed);
        metrics::counter!(crate::ops::metrics::SIGN_IN_CHECKS).increment(ran);
        Ok(out)
    }

    /// argon2 verifications run by sign-ins so far (tests read it; `/metrics` has the same).
    pub fn checks(&self) -> u64 {
        self.checks.load(Ordering::Relaxed)
    }

    /// Addresses remembered now.
    pub fn remembered(&self) -> usize {
        let table = self.clients.lock().unwrap_or_else(|e| e.into_inner());
        table.backoff.len()
    }

    /// Forget `ticket`'s address's failures: its password was right.
    pub fn succeeded(&self, ticket: Ticket) {
        let mut table = self.clients.lock().unwrap_or_else(|e| e.into_inner());
        table.backoff.remove(&ticket.client);
    }
}

impl Table {
    /// Every minute, forget addresses that went quiet; keep the table bounded whatever comes.
    fn sweep(&mut self, now: Instant) {
        let due = now.duration_since(self.swept) >= Duration::from_secs(60);
        if !due && self.backoff.len() < SignInGate::MAX_CLIENTS {
            return;
        }
        self.swept = now;
        self.backoff
            .retain(|_, b| now < b.until || now.duration_since(b.last) < SignInGate::FORGET_AFTER);
        if self.backoff.len() >= SignInGate::MAX_CLIENTS {
            let mut lasts: Vec<Instant> = self.backoff.values().map(|b| b.last).collect();
            lasts.sort_unstable();
            let median = lasts[lasts.len() / 2];
            self.backoff.retain(|_, b| b.last > median);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn addr(n: u8) -> IpAddr {
        IpAddr::from([192, 0, 2, n])
    }

    #[test]
    fn an_address_waits_longer_after_each_failure_and_a_success_forgets() {
        let gate = SignInGate::default();
        let t0 = Instant::now();
        for _ in 0..SignInGate::FREE_TRIES {
            let _failed = gate.admit(addr(1), t0).unwrap();
        }
        assert_eq!(gate.admit(addr(1), t0).unwrap_err(), Duration::from_secs(1));
        assert!(
            gate.admit(addr(2), t0).is_ok(),
            "another address is not held up"
        );
        let _sixth = gate.admit(addr(1), t0 + Duration::from_secs(1)).unwrap();
        let waited = gate
            .admit(addr(1), t0 + Duration::from_secs(1))
            .unwrap_err();
        assert_eq!(waited, Duration::from_secs(2));
        let right = gate.admit(addr(1), t0 + Duration::from_secs(3)).unwrap();
        gate.succeeded(right);
        assert!(gate.admit(addr(1), t0 + Duration::from_secs(3)).is_ok());
    }

    #[test]
    fn the_wait_doubles_up_to_a_cap() {
        assert_eq!(SignInGate::wait_after(4), Duration::ZERO);
        assert_eq!(SignInGate::wait_after(5), Duration::from_secs(1));
        assert_eq!(SignInGate::wait_after(8), Duration::from_secs(8));
        assert_eq!(SignInGate::wait_after(40), SignInGate::MAX_WAIT);
        assert_eq!(SignInGate::wait_after(u32::MAX), SignInGate::MAX_WAIT);
    }

    #[test]
    fn quiet_addresses_are_forgotten() {
        let gate = SignInGate::default();
        let t0 = Instant::now();
        for n in 0..50 {
            let _ = gate.admit(addr(n), t0);
        }
        assert_eq!(gate.remembered(), 50);
        let later = t0 + SignInGate::FORGET_AFTER + Duration::from_secs(61);
        let _ = gate.admit(addr(200), later);
        assert_eq!(gate.remembered(), 1, "only the new address is left");
    }

    #[test]
    fn the_table_stays_bounded_under_a_flood_of_addresses() {
        let gate = SignInGate::default();
        let t0 = Instant::now();
        for n in 0..(SignInGate::MAX_CLIENTS as u32 + 10) {
            let a = IpAddr::from(std::net::Ipv6Addr::from(u128::from(n)));
            let _ = gate.admit(a, t0 + Duration::from_micros(u64::from(n)));
        }
        assert!(
            gate.remembered() <= SignInGate::MAX_CLIENTS,
            "{}",
            gate.remembered()
        );
    }
}
