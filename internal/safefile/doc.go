// Package safefile writes private keys, secrets and caches to disk without the usual accidents:
// a file is never replaced unless asked, never written through a symbolic link, never seen
// half-written, never created with wider permissions than asked for, and no temporary file is
// left behind. It also warns about directories and files that others can read or write.
//
// It follows SECURITY-NOTES.md "Files and secrets": private files are 0600 in 0700 directories,
// created with O_CREAT|O_EXCL.
package safefile
