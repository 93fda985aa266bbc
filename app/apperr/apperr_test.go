package apperr

import (
	"fmt"
	"testing"
)

func TestKindOfWrapped(t *testing.T) {
	tests := []struct {
		err  error
		want Kind
	}{
		{fmt.Errorf("clients: get: %w", NotFoundf("client")), NotFound},
		{fmt.Errorf("x: %w", Conflictf("stale")), Conflict},
		{fmt.Errorf("plain"), Internal},
		{nil, Internal},
	}
	for _, tt := range tests {
		if got := KindOf(tt.err); got != tt.want {
			t.Errorf("KindOf(%v) = %v, want %v", tt.err, got, tt.want)
		}
	}
}

func TestFields(t *testing.T) {
	f := Fields{}
	if f.Err() != nil {
		t.Fatal("empty Fields gave an error")
	}
	f.Add("email", "first")
	f.Add("email", "second")
	err := fmt.Errorf("wrapped: %w", f.Err())
	if got, want := KindOf(err), Invalid; got != want {
		t.Fatalf("kind = %v, want %v", got, want)
	}
	if got, want := FieldsOf(err)["email"], "first"; got != want {
		t.Errorf("field message = %q, want %q", got, want)
	}
}
