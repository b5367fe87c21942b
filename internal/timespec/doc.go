// Package timespec implements jwtkit's time grammar: the values every time flag accepts
// (durations relative to now, RFC 3339 instants, dates and Unix seconds), and the compact
// renderings used in reports and error messages ("in 59m", "3h ago", "3m12s").
//
// Nothing here reads the clock: every function that needs "now" takes it as an argument.
// Every parser is bounded: it never panics, and numbers that would overflow a time.Duration or
// leave the years 0001–9999 are reported as errors.
package timespec
