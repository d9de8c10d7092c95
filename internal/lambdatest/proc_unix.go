//go:build unix && !linux

package lambdatest

import "syscall"

// sysProcAttr puts the emulator in a process group of its own, so stopping it stops the
// function it started.
func sysProcAttr() *syscall.SysProcAttr { return &syscall.SysProcAttr{Setpgid: true} }

// killGroup kills the process group led by pid: the emulator and the function.
func killGroup(pid int) { _ = syscall.Kill(-pid, syscall.SIGKILL) }
