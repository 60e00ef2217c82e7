//! A program's analysis thread, on which its analyses run and its old
//! analyses are freed.
//!
//! Why one thread and not tokio's blocking pool: the allocator (mimalloc)
//! keeps memory per thread, and memory freed on a thread other than the
//! one that allocated it is only reused once that thread allocates again.
//! When each analysis, and each drop of the analysis it replaced, ran on
//! whichever pool thread was idle, memory freed at one edit waited for a
//! thread that might not run again, and the server's resident memory grew
//! with every keystroke.  On one thread, each analysis reuses the memory
//! of the one before.  The analysis itself still spreads its parsing and
//! checking over all cores (`meshc::parallel`); each program (directory)
//! has its own thread, so that one never waits for another.

use std::sync::mpsc;

type Job = Box<dyn FnOnce() + Send>;

/// A thread that runs jobs one at a time, in the order they were given.
pub struct Worker {
    jobs: mpsc::Sender<Job>,
}

impl Worker {
    /// Starts the thread; it ends when the worker is dropped.  Should the
    /// system refuse a thread, every job is refused (`run` gives `None`).
    pub fn start() -> Worker {
        let (jobs, queue) = mpsc::channel::<Job>();
        let _ = std::thread::Builder::new().name("analysis".into()).spawn(move || {
            for job in queue {
                job();
            }
        });
        Worker { jobs }
    }

    /// Runs `job` on the thread and returns its result; `None` when the job
    /// panicked (the thread goes on with the next job).
    pub async fn run<T: Send + 'static>(&self, job: impl FnOnce() -> T + Send + 'static) -> Option<T> {
        let (result, answer) = tokio::sync::oneshot::channel();
        let job: Job = Box::new(move || {
            let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(job));
            let _ = result.send(outcome.ok());
        });
        self.jobs.send(job).ok()?;
        answer.await.ok().flatten()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn jobs_run_in_turn_on_one_thread_and_a_panic_stops_only_its_job() {
        let worker = Worker::start();
        let first = worker.run(|| std::thread::current().id()).await;
        let failed: Option<()> = worker.run(|| panic!("a bug in one analysis")).await;
        let after = worker.run(|| std::thread::current().id()).await;
        assert!(first.is_some());
        assert_eq!(failed, None);
        assert_eq!(first, after);
        assert_ne!(first, Some(std::thread::current().id()));
    }
}
