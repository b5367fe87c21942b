package cli

import (
	"fmt"

	"github.com/jwtkit/jwtkit/internal/failure"
	"github.com/jwtkit/jwtkit/internal/token"
)

// maxConsecutiveBad is how many lines in a row that are not JWTs a stream takes before it
// stops: input that is not tokens at all (a binary file, the wrong pipe) gets one summary line,
// not an error per line.
const maxConsecutiveBad = 20

// streamTally keeps what a token stream's exit code needs: the first failure of the most
// severe kind (a remote failure over not-a-JWT over invalid, as the exit codes 3, 2 and 1), and
// the run of consecutive lines that are not JWTs.
type streamTally struct {
	worst       error // "line N: …"
	worstLine   int
	worstErr    error // the line's own error
	bad         int   // lines that failed
	total       int
	consecutive int // lines in a row that are not JWTs
}

// add records one line's outcome and reports whether the stream should stop, because
// maxConsecutiveBad lines in a row were not JWTs.
func (s *streamTally) add(line int, err error) (stop bool) {
	s.total++
	if err == nil {
		s.consecutive = 0
		return false
	}
	s.bad++
	if s.worst == nil || failure.KindOf(err) > failure.KindOf(s.worst) {
		s.worst, s.worstLine, s.worstErr = fmt.Errorf("line %d: %w", line, err), line, err
	}
	if failure.KindOf(err) == failure.KindUsage && failure.CodeOf(err) == token.CodeMalformed {
		s.consecutive++
	} else {
		s.consecutive = 0
	}
	if s.consecutive >= maxConsecutiveBad {
		s.worst = failure.Usagef(token.CodeMalformed,
			"stopped at line %d: lines %d to %d are not JWTs; is this token input? (the last: %v)",
			line, line-maxConsecutiveBad+1, line, err)
		return true
	}
	return false
}

// err is the stream's error: nil when every line passed, else one of the worst kind whose
// message counts the failures and names the first of that kind. invalid says what the lines
// were when the worst is an invalid token ("are invalid").
func (s *streamTally) err(invalid string) error {
	if s.worst == nil {
		return nil
	}
	if s.consecutive >= maxConsecutiveBad {
		return s.worst
	}
	code := failure.CodeOf(s.worst)
	switch failure.KindOf(s.worst) {
	case failure.KindRemote:
		return failure.Remote(code, fmt.Errorf("%d of %d tokens could not be verified (first: %w)", s.bad, s.total, s.worst))
	case failure.KindUsage:
		return failure.Usage(code, fmt.Errorf("%d of %d tokens failed, and line %d is not a JWT: %w", s.bad, s.total, s.worstLine, s.worstErr))
	}
	return failure.Invalid(code, fmt.Errorf("%d of %d tokens %s (first: %w)", s.bad, s.total, invalid, s.worst))
}
