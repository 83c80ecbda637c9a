package htmlpage

import "testing"

func TestThemeLink(t *testing.T) {
	cases := []struct {
		name  string
		theme Theme
		want  string
	}{
		{"no brand", Theme{}, ""},
		{"dark purple reads on white", Theme{Brand: "#5b2a86"}, "#5b2a86"},
		{"yellow does not", Theme{Brand: "#ffd33d"}, ""},
		{"grey just under AA", Theme{Brand: "#808080"}, ""}, // 3.95:1 on white
		{"on its own dark background", Theme{Brand: "#5b2a86", Background: "#0d1117"}, ""},
		{"light brand on a dark background", Theme{Brand: "#ffd33d", Background: "#0d1117"}, "#ffd33d"},
		{"not a colour", Theme{Brand: "purple"}, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.theme.Link(); got != tc.want {
				t.Errorf("Link() = %q, want %q", got, tc.want)
			}
		})
	}
}
