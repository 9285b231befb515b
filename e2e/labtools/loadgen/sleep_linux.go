package main

import (
	"runtime"
	"syscall"
	"time"
)

// preciseSleep makes sleep on the calling goroutine wake within some tens of microseconds rather
// than Go timers' millisecond or so: the goroutine gets an OS thread of its own with the timer
// slack cut to 1 ns, and sleeps with nanosleep(2). It returns the function that undoes it.
func preciseSleep() func() {
	runtime.LockOSThread()
	const prSetTimerslack = 29
	_, _, _ = syscall.RawSyscall(syscall.SYS_PRCTL, prSetTimerslack, 1, 0)
	return runtime.UnlockOSThread
}

func sleep(d time.Duration) {
	ts := syscall.NsecToTimespec(int64(d))
	_ = syscall.Nanosleep(&ts, nil)
}
