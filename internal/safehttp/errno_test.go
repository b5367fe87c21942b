package safehttp

import "syscall"

var errReset error = syscall.ECONNRESET
