//! `Gate`: polls a group of futures only after one of them has woken the
//! task.
//!
//! `tokio::select!` polls every branch each time its task wakes, whichever
//! branch woke it. A websocket's task or an SSE stream wakes mostly for
//! results, and its other branches (the shutdown token every connection
//! shares, the session watch, the timers, a socket's read half) would each
//! be polled once more per delivery for nothing; the shutdown token takes
//! two locks to say so.
//! Polled through a gate, they are polled with the gate's own waker, which
//! records that they woke the task, and skipped while it has not.

use std::{
    sync::{
        Arc,
        atomic::{AtomicBool, Ordering},
    },
    task::{Context, Poll, Wake, Waker},
};

use futures_util::task::AtomicWaker;

pub struct Gate {
    flag: Arc<Flag>,
    /// Wakes through `flag`; given to everything polled through the gate.
    waker: Waker,
}

struct Flag {
    woken: AtomicBool,
    task: AtomicWaker,
}

impl Wake for Flag {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.woken.store(true, Ordering::Release);
        self.task.wake();
    }
}

impl Gate {
    /// A gate that lets the first poll through, so that everything behind
    /// it registers its wake-up.
    pub fn new() -> Self {
        let flag = Arc::new(Flag {
            woken: AtomicBool::new(true),
            task: AtomicWaker::new(),
        });
        let waker = Waker::from(Arc::clone(&flag));
        Gate { flag, waker }
    }

    /// Runs `poll` with the gate's waker if something behind the gate has
    /// woken the task since the last time; `Pending` without running it
    /// otherwise. After a `Ready`, the next call runs `poll` again: the
    /// other futures behind the gate may be ready too.
    pub fn poll<T>(
        &self,
        cx: &mut Context<'_>,
        poll: impl FnOnce(&mut Context<'_>) -> Poll<T>,
    ) -> Poll<T> {
        self.flag.task.register(cx.waker());
        if !self.flag.woken.swap(false, Ordering::AcqRel) {
            return Poll::Pending;
        }
        let ready = poll(&mut Context::from_waker(&self.waker));
        if ready.is_ready() {
            self.flag.woken.store(true, Ordering::Release);
        }
        ready
    }
}

#[cfg(test)]
mod tests {
    use std::{cell::Cell, pin::pin};

    use futures_util::task::noop_waker_ref;
    use tokio::sync::Notify;

    use super::*;

    #[test]
    fn what_is_behind_the_gate_is_polled_only_after_it_woke_the_task() {
        let gate = Gate::new();
        let notify = Notify::new();
        let mut notified = pin!(notify.notified());
        let polls = Cell::new(0);
        let mut cx = Context::from_waker(noop_waker_ref());
        let mut poll = |cx: &mut Context<'_>| {
            gate.poll(cx, |cx| {
                polls.set(polls.get() + 1);
                notified.as_mut().poll(cx)
            })
        };

        // The first poll goes through and registers the gate's waker.
        assert!(poll(&mut cx).is_pending());
        assert_eq!(polls.get(), 1);
        // Woken by something else: the notification is not polled.
        assert!(poll(&mut cx).is_pending());
        assert!(poll(&mut cx).is_pending());
        assert_eq!(polls.get(), 1);

        notify.notify_one();
        assert!(poll(&mut cx).is_ready());
        assert_eq!(polls.get(), 2);
    }

    #[test]
    fn a_wake_up_behind_the_gate_wakes_the_task() {
        struct Count(std::sync::atomic::AtomicUsize);
        impl Wake for Count {
            fn wake(self: Arc<Self>) {
                self.0.fetch_add(1, Ordering::SeqCst);
            }
        }
        let task = Arc::new(Count(Default::default()));
        let task_waker = Waker::from(Arc::clone(&task));
        let mut cx = Context::from_waker(&task_waker);
        let gate = Gate::new();
        let notify = Notify::new();
        let mut notified = pin!(notify.notified());

        assert!(
            gate.poll(&mut cx, |cx| notified.as_mut().poll(cx))
                .is_pending()
        );
        assert_eq!(task.0.load(Ordering::SeqCst), 0);
        notify.notify_one();
        assert_eq!(task.0.load(Ordering::SeqCst), 1);
        assert!(
            gate.poll(&mut cx, |cx| notified.as_mut().poll(cx))
                .is_ready()
        );
    }
}
