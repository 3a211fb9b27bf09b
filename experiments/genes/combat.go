package genes

import (
	"errors"
	"fmt"
	"math"
	"slices"

	"gonum.org/v1/gonum/mat"
)

// ErrNoConvergence reports that ComBat's empirical-Bayes iteration did not
// reach its tolerance within combatMaxIter sweeps.
var ErrNoConvergence = errors.New("ComBat: empirical Bayes iteration did not converge")

// ComBatOptions configures ComBat.
type ComBatOptions struct {
	// Covariates are categorical biological covariates to protect (e.g. the
	// labels), one value per sample each. Each is dummy coded like R's
	// model.matrix (treatment contrasts, levels sorted, first level dropped).
	Covariates [][]string
	// Ref is the reference batch: it is left unchanged and the other
	// batches are adjusted to it (sva's ref.batch). "" for none, in which
	// case all batches move to the pooled mean and variance.
	Ref string
	// MeanOnly adjusts the batch means only (δ* = 1). It is forced when a
	// batch has a single sample, as in sva.
	MeanOnly bool
}

// combatConv is sva's it.sol default tolerance (conv = .0001) on the
// relative change of γ* and δ* between sweeps.
const combatConv = 1e-4

// combatMaxIter caps the sweeps; sva has no cap, and on bladderbatch it
// stops after fewer than 30.
const combatMaxIter = 10000

// ComBat removes additive and multiplicative batch effects from x, a
// rows×cols samples × genes row-major matrix, by the parametric empirical
// Bayes method of Johnson, Li & Rabinovic (2007, Biostatistics 8:118),
// following R's sva::ComBat (par.prior = TRUE) step by step so that the
// results agree with it to rounding. For gene g, sample j of batch i:
//
//	x_ijg = α_g + Cβ_g + γ_ig + δ_ig ε_ijg
//
//	1. fit α, β, γ by least squares on the design [batch indicators, covariate
//	   dummies]; σ²_g = mean squared residual (of the reference batch if Ref)
//	2. standardize z_ijg = (x_ijg − α̂_g − Cβ̂_g) / σ̂_g
//	3. γ̂_ig, δ̂²_ig = per-batch mean (regression) and variance (n−1) of z
//	4. priors over genes: γ_ig ~ N(γ̄_i, τ²_i), δ²_ig ~ InvGamma(λ_i, θ_i)
//	   by the method of moments (λ = (2s²+m²)/s², θ = (m s² + m³)/s² with
//	   m, s² the mean and variance of δ̂²_i·)
//	5. posterior means, iterated to a fixed point (relative change < 1e-4):
//	   γ* = (n τ² γ̂ + δ*² γ̄)/(n τ² + δ*²),
//	   δ*² = (θ + ½ Σ_j (z_ijg − γ*)²)/(n/2 + λ − 1)
//	6. x*_ijg = σ̂_g (z_ijg − γ*_ig)/δ*_ig + α̂_g + Cβ̂_g
//
// With Ref, γ* = 0 and δ* = 1 for the reference batch and its samples are
// returned unchanged. Genes with zero variance within any batch are
// returned unchanged (sva drops them, then puts them back). It returns
// ErrConfounded if the design is rank-deficient (a covariate confounded
// with batch).
//
// ComBat panics if the shapes of x, batch and the covariates disagree or
// Ref is not a batch.
func ComBat(x []float64, rows, cols int, batch []string, opt ComBatOptions) ([]float64, error) {
	if len(x) != rows*cols || len(batch) != rows {
		panic("genes: ComBat: shape mismatch")
	}
	for _, c := range opt.Covariates {
		if len(c) != rows {
			panic("genes: ComBat: shape mismatch")
		}
	}
	levels := distinct(batch)
	slices.Sort(levels)
	nb := len(levels)
	ref := -1
	if opt.Ref != "" {
		ref = slices.Index(levels, opt.Ref)
		if ref < 0 {
			panic("genes: ComBat: reference batch not found")
		}
	}
	members := make([][]int, nb) // samples of each batch
	for j, b := range batch {
		i := slices.Index(levels, b)
		members[i] = append(members[i], j)
	}
	meanOnly := opt.MeanOnly
	for _, m := range members {
		if len(m) == 1 {
			meanOnly = true
		}
	}

	// Genes kept: nonzero variance within every batch of ≥ 2 samples.
	var keep []int
	for g := range cols {
		ok := true
		for _, m := range members {
			if len(m) > 1 && variance(x, cols, m, g) == 0 {
				ok = false
				break
			}
		}
		if ok {
			keep = append(keep, g)
		}
	}
	out := slices.Clone(x)
	if len(keep) == 0 {
		return out, nil
	}
	G := len(keep)
	y := mat.NewDense(rows, G, nil) // samples × kept genes
	for j := range rows {
		for k, g := range keep {
			y.Set(j, k, x[j*cols+g])
		}
	}

	// Design: batch indicators (the reference column all ones), then the
	// covariate dummies; all-ones columns other than the reference dropped.
	var cov [][]float64
	for _, c := range opt.Covariates {
		lv := distinct(c)
		slices.Sort(lv)
		for _, l := range lv[1:] {
			col := make([]float64, rows)
			for j, v := range c {
				if v == l {
					col[j] = 1
				}
			}
			if !allOnes(col) {
				cov = append(cov, col)
			}
		}
	}
	p := nb + len(cov)
	design := mat.NewDense(rows, p, nil)
	for i, m := range members {
		for _, j := range m {
			design.Set(j, i, 1)
		}
	}
	if ref >= 0 {
		for j := range rows {
			design.Set(j, ref, 1)
		}
	}
	for c, col := range cov {
		for j, v := range col {
			design.Set(j, nb+c, v)
		}
	}
	bhat, err := leastSquares(design, y)
	if err != nil {
		return nil, err
	}

	// Step 1: grand mean α̂ and pooled variance σ̂².
	grand := make([]float64, G)
	if ref >= 0 {
		copy(grand, bhat.RawRowView(ref))
	} else {
		for i, m := range members {
			w := float64(len(m)) / float64(rows)
			for k, v := range bhat.RawRowView(i) {
				grand[k] += w * v
			}
		}
	}
	var fit mat.Dense
	fit.Mul(design, bhat)
	varPooled := make([]float64, G)
	resid := seq(rows)
	if ref >= 0 {
		resid = members[ref]
	}
	for _, j := range resid {
		for k := range G {
			r := y.At(j, k) - fit.At(j, k)
			varPooled[k] += r * r
		}
	}
	for k := range varPooled {
		varPooled[k] /= float64(len(resid))
	}

	// Step 2: standardize. standMean = α̂ + Cβ̂ (the covariate part of the fit).
	standMean := mat.NewDense(rows, G, nil)
	s := mat.NewDense(rows, G, nil)
	for j := range rows {
		for k := range G {
			m := grand[k]
			for c := nb; c < p; c++ {
				m += design.At(j, c) * bhat.At(c, k)
			}
			standMean.Set(j, k, m)
			s.Set(j, k, (y.At(j, k)-m)/math.Sqrt(varPooled[k]))
		}
	}

	// Step 3: batch effect estimates γ̂ (regression on the batch columns) and δ̂².
	bdesign := design.Slice(0, rows, 0, nb)
	ghat, err := leastSquares(bdesign, s)
	if err != nil {
		return nil, err
	}
	dhat := mat.NewDense(nb, G, nil)
	for i, m := range members {
		for k := range G {
			d := 1.0
			if !meanOnly {
				d = colVariance(s, m, k)
			}
			dhat.Set(i, k, d)
		}
	}

	// Steps 4–5: priors and posterior estimates, one batch at a time.
	gstar := mat.NewDense(nb, G, nil)
	dstar := mat.NewDense(nb, G, nil)
	for i, m := range members {
		gi, di := ghat.RawRowView(i), dhat.RawRowView(i)
		gbar, t2 := meanVar(gi)
		dm, ds2 := meanVar(di)
		a := (2*ds2 + dm*dm) / ds2     // sva aprior
		b := (dm*ds2 + dm*dm*dm) / ds2 // sva bprior
		if meanOnly {
			for k, g := range gi {
				gstar.Set(i, k, postMean(g, gbar, 1, 1, t2))
				dstar.Set(i, k, 1)
			}
			continue
		}
		gs, dsr, err := combatSolve(s, m, gi, di, gbar, t2, a, b)
		if err != nil {
			return nil, fmt.Errorf("genes: batch %s: %w", levels[i], err)
		}
		gstar.SetRow(i, gs)
		dstar.SetRow(i, dsr)
	}
	if ref >= 0 {
		for k := range G {
			gstar.Set(ref, k, 0)
			dstar.Set(ref, k, 1)
		}
	}

	// Step 6: adjust and map back.
	for i, m := range members {
		for _, j := range m {
			for k, g := range keep {
				var shift float64
				for c := range nb {
					shift += bdesign.At(j, c) * gstar.At(c, k)
				}
				adj := (s.At(j, k) - shift) / math.Sqrt(dstar.At(i, k))
				out[j*cols+g] = adj*math.Sqrt(varPooled[k]) + standMean.At(j, k)
			}
		}
	}
	if ref >= 0 {
		for _, j := range members[ref] {
			copy(out[j*cols:(j+1)*cols], x[j*cols:(j+1)*cols])
		}
	}
	return out, nil
}

// combatSolve is sva's it.sol for one batch: iterate the posterior means
// γ* and δ*² (step 5 of ComBat) until the largest relative change
// max(|γnew−γold|/γold, |δnew−δold|/δold) over all genes is at most
// combatConv. As in sva, the γ ratio keeps the sign of γold.
func combatSolve(s *mat.Dense, m []int, ghat, dhat []float64, gbar, t2, a, b float64) (g, d []float64, err error) {
	n := float64(len(m))
	G := len(ghat)
	gold, dold := slices.Clone(ghat), slices.Clone(dhat)
	gnew, dnew := make([]float64, G), make([]float64, G)
	for range combatMaxIter {
		change := math.Inf(-1)
		for k := range G {
			gnew[k] = postMean(ghat[k], gbar, n, dold[k], t2)
			var sum2 float64
			for _, j := range m {
				r := s.At(j, k) - gnew[k]
				sum2 += r * r
			}
			dnew[k] = (0.5*sum2 + b) / (n/2 + a - 1) // sva postvar
			change = math.Max(change, math.Abs(gnew[k]-gold[k])/gold[k])
			change = math.Max(change, math.Abs(dnew[k]-dold[k])/dold[k])
		}
		gold, gnew = gnew, gold
		dold, dnew = dnew, dold
		if !(change > combatConv) {
			return gold, dold, nil
		}
	}
	return nil, nil, ErrNoConvergence
}

// postMean is the posterior mean of γ (sva postmean):
// (τ² n γ̂ + δ² γ̄) / (τ² n + δ²).
func postMean(ghat, gbar, n, d, t2 float64) float64 {
	return (t2*n*ghat + d*gbar) / (t2*n + d)
}

// leastSquares solves the normal equations (AᵀA) B = Aᵀ Y, as sva does with
// solve(crossprod(design), ...). A rank-deficient A is ErrConfounded.
func leastSquares(a mat.Matrix, y *mat.Dense) (*mat.Dense, error) {
	var svd mat.SVD
	if !svd.Factorize(a, mat.SVDNone) {
		return nil, fmt.Errorf("genes: ComBat: %w: SVD of the design failed", ErrConfounded)
	}
	sv := svd.Values(nil)
	// Rank test like R's qr(): singular values below 1e-7·σ_max count as zero.
	if sv[len(sv)-1] <= 1e-7*sv[0] {
		return nil, fmt.Errorf("genes: ComBat: %w (remove the covariate)", ErrConfounded)
	}
	var ata, aty, b mat.Dense
	ata.Mul(a.T(), a)
	aty.Mul(a.T(), y)
	if err := b.Solve(&ata, &aty); err != nil {
		return nil, fmt.Errorf("genes: ComBat: %w: %v", ErrConfounded, err)
	}
	return &b, nil
}

// variance is the sample variance (n−1) of column g over the rows idx of
// the row-major x with cols columns.
func variance(x []float64, cols int, idx []int, g int) float64 {
	var mean float64
	for _, j := range idx {
		mean += x[j*cols+g]
	}
	mean /= float64(len(idx))
	var ss float64
	for _, j := range idx {
		d := x[j*cols+g] - mean
		ss += d * d
	}
	return ss / float64(len(idx)-1)
}

// colVariance is the sample variance (n−1) of column k of s over rows idx.
func colVariance(s *mat.Dense, idx []int, k int) float64 {
	var mean float64
	for _, j := range idx {
		mean += s.At(j, k)
	}
	mean /= float64(len(idx))
	var ss float64
	for _, j := range idx {
		d := s.At(j, k) - mean
		ss += d * d
	}
	return ss / float64(len(idx)-1)
}

// meanVar returns the mean and the sample variance (n−1) of v.
func meanVar(v []float64) (mean, variance float64) {
	for _, x := range v {
		mean += x
	}
	mean /= float64(len(v))
	for _, x := range v {
		variance += (x - mean) * (x - mean)
	}
	return mean, variance / float64(len(v)-1)
}

func allOnes(v []float64) bool {
	for _, x := range v {
		if x != 1 {
			return false
		}
	}
	return true
}
