"""qr_modules takes the QR version from qrcode's best_fit() without building the code: it must be
the size make(fit=True) gives, for every length a ticket's QR text can have."""

from __future__ import annotations

import qrcode
import qrcode.constants

from printer.layout import QR_EC, qr_modules


def test_qr_modules_is_the_size_of_the_full_code():
    ec = {"L": qrcode.constants.ERROR_CORRECT_L, "M": qrcode.constants.ERROR_CORRECT_M}[QR_EC]
    for text in ["K-001", "https://mpp.example.go.id/t/" + "a" * 40, "MPP1|K-012|abc123"] + \
                ["x" * n for n in range(1, 400, 7)] + ["7" * n for n in range(1, 300, 11)]:
        full = qrcode.QRCode(version=None, error_correction=ec, border=0)
        full.add_data(text)
        full.make(fit=True)
        assert qr_modules(text) == len(full.get_matrix()) == 17 + 4 * full.version, text
