//go:build !linux

package main

import "time"

func preciseSleep() func() { return func() {} }

func sleep(d time.Duration) { time.Sleep(d) }
