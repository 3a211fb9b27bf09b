package latent

import "gonum.org/v1/gonum/mat"

// EncodeTo writes the latent coordinates E(x) = V (x − μ) of the rows×d
// matrix x into dst (rows×k). Sums are accumulated in float64; it
// allocates nothing.
func (p *PCA) EncodeTo(dst, x []float32, rows int) {
	d, k := p.d, p.k
	if len(x) != rows*d || len(dst) != rows*k {
		panic("latent: PCA.EncodeTo: shape mismatch")
	}
	mu := p.mean[:d]
	for i := range rows {
		xi := x[i*d : (i+1)*d]
		xi = xi[:len(mu)]
		for l := range k {
			vl := p.comp[l*d : (l+1)*d]
			vl = vl[:len(mu)]
			var s float64
			for j, m := range mu {
				s += vl[j] * (float64(xi[j]) - m)
			}
			dst[i*k+l] = float32(s)
		}
	}
}

// DecodeTo writes the reconstruction D(z) = Vᵀ z + μ of the rows×k latent
// matrix z into dst (rows×d). Sums are accumulated in float64; it
// allocates nothing.
func (p *PCA) DecodeTo(dst, z []float32, rows int) {
	d, k := p.d, p.k
	if len(z) != rows*k || len(dst) != rows*d {
		panic("latent: PCA.DecodeTo: shape mismatch")
	}
	for i := range rows {
		zi := z[i*k : (i+1)*k]
		out := dst[i*d : (i+1)*d]
		for j, m := range p.mean {
			s := m
			for l, zl := range zi {
				s += float64(zl) * p.comp[l*d+j]
			}
			out[j] = float32(s)
		}
	}
}

// Encode64To is EncodeTo for float64 data (gene expression), by gonum's
// BLAS: E = X Vᵀ − 1 (V μ)ᵀ.
func (p *PCA) Encode64To(dst, x []float64, rows int) {
	d, k := p.d, p.k
	if len(x) != rows*d || len(dst) != rows*k {
		panic("latent: PCA.Encode64To: shape mismatch")
	}
	out := mat.NewDense(rows, k, dst)
	v := mat.NewDense(k, d, p.comp)
	out.Mul(mat.NewDense(rows, d, x), v.T())
	var vmu mat.VecDense
	vmu.MulVec(v, mat.NewVecDense(d, p.mean))
	for i := range rows {
		for l := range k {
			dst[i*k+l] -= vmu.AtVec(l)
		}
	}
}

// Decode64To is DecodeTo for float64 data, by gonum's BLAS:
// D = Z V + 1 μᵀ.
func (p *PCA) Decode64To(dst, z []float64, rows int) {
	d, k := p.d, p.k
	if len(z) != rows*k || len(dst) != rows*d {
		panic("latent: PCA.Decode64To: shape mismatch")
	}
	mat.NewDense(rows, d, dst).Mul(mat.NewDense(rows, k, z), mat.NewDense(k, d, p.comp))
	for i := range rows {
		row := dst[i*d : (i+1)*d]
		for j, m := range p.mean {
			row[j] += m
		}
	}
}
