package core

// DivergedError is a step that produced NaN or Inf, with what the method
// found out about the cause (e.g. which quantity overflowed first). It
// wraps ErrDiverged, so errors.Is(err, ErrDiverged) holds; errors.As
// recovers the cause for a status line.
type DivergedError struct {
	Cause string // one sentence, no trailing period
}

func (e *DivergedError) Error() string {
	if e.Cause == "" {
		return ErrDiverged.Error()
	}
	return e.Cause + ": " + ErrDiverged.Error()
}

// Unwrap returns ErrDiverged.
func (e *DivergedError) Unwrap() error { return ErrDiverged }
