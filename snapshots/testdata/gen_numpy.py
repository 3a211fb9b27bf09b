# Regenerates the numpy-written fixtures in this directory (written for gpa-tui; no third-party
# content). Run with: cd snapshots/testdata && python3 gen_numpy.py   (numpy 1.24.2 was used).
import json
import zipfile

import numpy as np

a = np.arange(6, dtype='<f4').reshape(3, 2) / 4 - 0.5
b = np.array([1.5, -2.25, np.pi], dtype='<f8')
c = np.array([[-1, 2**40], [3, -2**62]], dtype='<i8')
d = np.arange(5, dtype=np.uint8) * 50
e = np.array([2**64 - 1, 7], dtype='<u8')
z = np.zeros((0, 3), dtype='<f4')
s = np.float64(2.5)  # 0-d array
np.savez('numpy_savez.npz', particles=a, nu=b, ints=c, bytes=d, state=e, empty=z, scalar=np.array(s))
# np.savez cannot add a raw member; append meta.json the way a foreign writer would.
with zipfile.ZipFile('numpy_savez.npz', 'a', compression=zipfile.ZIP_DEFLATED) as zf:
    zf.writestr('meta.json', json.dumps(
        {"format": "gpa-tui snapshot", "version": 1, "meta": {"by": "numpy", "step": 7}}))
np.savez_compressed('numpy_savez_compressed.npz', particles=a, bytes=d)
np.save('numpy_f4.npy', a)
