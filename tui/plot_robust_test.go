package tui

import "testing"

// TestAutoscaleHeavyTails: a few far points do not squeeze the bulk of the
// data into one braille dot; without tails the view is the bounding box.
func TestAutoscaleHeavyTails(t *testing.T) {
	pts := make([]float32, 0, 400)
	for i := range 200 {
		pts = append(pts, float32(i%10), float32(i%7))
	}
	pts[0], pts[3] = 1e5, -1e6
	p := &plotPanel{targets: pts}
	p.SetSize(60, 20)
	p.autoscale()
	if p.xmax > 100 || p.ymin < -100 {
		t.Errorf("view [%g, %g]×[%g, %g] follows the outliers", p.xmin, p.xmax, p.ymin, p.ymax)
	}
	if p.xmin > 0 || p.xmax < 9 {
		t.Errorf("view [%g, %g] cuts the bulk [0, 9]", p.xmin, p.xmax)
	}
	pts[0], pts[3] = 0, 0
	q := &plotPanel{targets: pts}
	q.SetSize(60, 20)
	q.autoscale()
	if q.xmin > 0 || q.xmax < 9 || q.xmax > 12 {
		t.Errorf("no tails: view [%g, %g], want the padded box of [0, 9]", q.xmin, q.xmax)
	}
}
