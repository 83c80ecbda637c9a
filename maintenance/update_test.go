package maintenance

import (
	"testing"
	"time"
)

func TestUpdateDisplay(t *testing.T) {
	posted := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	shown := posted.Add(-time.Hour)
	for _, tc := range []struct {
		name string
		u    Update
		want time.Time
	}{
		{"no display time: when posted", Update{CreatedAt: posted}, posted},
		{"display time set: it", Update{CreatedAt: posted, DisplayAt: shown}, shown},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.u.Display(); !got.Equal(tc.want) {
				t.Errorf("Display() = %v, want %v", got, tc.want)
			}
		})
	}
}
