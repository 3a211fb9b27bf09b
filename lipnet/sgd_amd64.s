//go:build amd64 && !purego

#include "textflag.h"

// func sgdAVX2(p, grad *float32, n int, lr float32)
// p[i] -= lr·g[i] for i < n, n a multiple of 32: the product rounded to
// float32, then the difference (no FMA), as sgdTo in Go. A vector store
// per 8 floats keeps 4× more cache lines in flight than scalar stores
// when the lines of p are in the other core's cache (the parameters that
// the forward pass read there).
TEXT ·sgdAVX2(SB), NOSPLIT, $0-28
	MOVQ p+0(FP), DI
	MOVQ grad+8(FP), SI
	MOVQ n+16(FP), CX
	VBROADCASTSS lr+24(FP), Y0
	SHRQ $5, CX
	JZ done
loop:
	VMULPS (SI), Y0, Y1
	VMULPS 32(SI), Y0, Y2
	VMULPS 64(SI), Y0, Y3
	VMULPS 96(SI), Y0, Y4
	VMOVUPS (DI), Y5
	VMOVUPS 32(DI), Y6
	VMOVUPS 64(DI), Y7
	VMOVUPS 96(DI), Y8
	VSUBPS Y1, Y5, Y5
	VSUBPS Y2, Y6, Y6
	VSUBPS Y3, Y7, Y7
	VSUBPS Y4, Y8, Y8
	VMOVUPS Y5, (DI)
	VMOVUPS Y6, 32(DI)
	VMOVUPS Y7, 64(DI)
	VMOVUPS Y8, 96(DI)
	ADDQ $128, SI
	ADDQ $128, DI
	DECQ CX
	JNZ loop
done:
	VZEROUPPER
	RET

// func rescaleAVX2(w *float32, n int, scale float64)
// w[i] = float32(float64(w[i])·scale) for i < n, n a multiple of 8: the
// product in float64, rounded to float32 (as rescale in Go).
TEXT ·rescaleAVX2(SB), NOSPLIT, $0-24
	MOVQ w+0(FP), DI
	MOVQ n+8(FP), CX
	VBROADCASTSD scale+16(FP), Y0
	SHRQ $3, CX
	JZ rdone
rloop:
	VCVTPS2PD (DI), Y1
	VCVTPS2PD 16(DI), Y2
	VMULPD Y0, Y1, Y1
	VMULPD Y0, Y2, Y2
	VCVTPD2PSY Y1, X1
	VCVTPD2PSY Y2, X2
	VINSERTF128 $1, X2, Y1, Y1
	VMOVUPS Y1, (DI)
	ADDQ $32, DI
	DECQ CX
	JNZ rloop
rdone:
	VZEROUPPER
	RET
