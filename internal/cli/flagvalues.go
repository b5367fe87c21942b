package cli

import (
	"strings"

	"github.com/spf13/pflag"
)

// stringArray is pflag's StringArray flag value (each use adds one string, taken as it is),
// made cheap to define. pflag renders a StringArray's default through encoding/csv when the
// flag is defined: a csv.Writer with a fresh 4 KiB bufio buffer per flag, so verify's 11 such
// flags touched 11 new heap pages at every start (about 15 µs each on a small VM, where every
// first touch of a page traps; issue 17). Type, Set and the pflag.SliceValue methods behave as
// pflag's, so help, completion and man pages show the same; the empty default renders as "",
// which pflag's help treats as no default, as it treats StringArray's "[]".
type stringArray struct {
	value   *[]string
	changed bool
}

// stringArrayVar defines a StringArray flag of f that fills p (nil until the flag is used).
func stringArrayVar(f *pflag.FlagSet, p *[]string, name, usage string) {
	stringArrayVarP(f, p, name, "", usage)
}

// stringArrayVarP is stringArrayVar with a one-letter shorthand.
func stringArrayVarP(f *pflag.FlagSet, p *[]string, name, shorthand, usage string) {
	*p = nil
	f.VarP(&stringArray{value: p}, name, shorthand, usage)
}

// Set adds val; the first use replaces the default.
func (s *stringArray) Set(val string) error {
	if !s.changed {
		*s.value = []string{val}
		s.changed = true
		return nil
	}
	*s.value = append(*s.value, val)
	return nil
}

// Append adds val (pflag.SliceValue).
func (s *stringArray) Append(val string) error {
	*s.value = append(*s.value, val)
	return nil
}

// Replace sets the values to a copy of vals (pflag.SliceValue).
func (s *stringArray) Replace(vals []string) error {
	*s.value = append([]string(nil), vals...)
	return nil
}

// GetSlice returns a copy of the values (pflag.SliceValue).
func (s *stringArray) GetSlice() []string { return append([]string{}, *s.value...) }

// Type names the value as pflag's StringArray does.
func (s *stringArray) Type() string { return "stringArray" }

// String lists the values in brackets, comma-separated; "" when there are none.
func (s *stringArray) String() string {
	if len(*s.value) == 0 {
		return ""
	}
	return "[" + strings.Join(*s.value, ",") + "]"
}
