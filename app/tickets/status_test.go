package tickets

import (
	"slices"
	"testing"
)

func TestTransitions(t *testing.T) {
	allowed := map[Status][]Status{
		StatusNew:           {StatusAcknowledged},
		StatusAcknowledged:  {StatusDiagnosed, StatusInProgress, StatusWaitingClient, StatusResolved},
		StatusDiagnosed:     {StatusInProgress, StatusWaitingClient, StatusResolved},
		StatusInProgress:    {StatusDiagnosed, StatusWaitingClient, StatusResolved},
		StatusWaitingClient: {StatusInProgress, StatusResolved},
		StatusResolved:      {StatusClosed, StatusInProgress},
		StatusClosed:        nil,
	}
	for _, from := range Statuses() {
		for _, to := range Statuses() {
			if got, want := CanTransition(from, to), slices.Contains(allowed[from], to); got != want {
				t.Errorf("CanTransition(%s, %s) = %v, want %v", from, to, got, want)
			}
			client := from == StatusResolved && (to == StatusClosed || to == StatusInProgress)
			if got := ClientMayMove(from, to); got != client {
				t.Errorf("ClientMayMove(%s, %s) = %v, want %v", from, to, got, client)
			}
			if got, want := IsReopen(from, to), from == StatusResolved && to == StatusInProgress; got != want {
				t.Errorf("IsReopen(%s, %s) = %v", from, to, got)
			}
		}
		if got := from.Next(); !slices.Equal(got, allowed[from]) {
			t.Errorf("%s.Next() = %v, want %v", from, got, allowed[from])
		}
		if st, ok := ParseStatus(string(from)); !ok || st != from {
			t.Errorf("ParseStatus(%q) = %q, %v", from, st, ok)
		}
	}
	if _, ok := ParseStatus("done"); ok {
		t.Error("unknown status accepted")
	}
	for _, s := range OpenStatuses() {
		if !s.IsOpen() {
			t.Errorf("%s should be open", s)
		}
	}
	if StatusResolved.IsOpen() || StatusClosed.IsOpen() {
		t.Error("resolved and closed are not open")
	}
}
