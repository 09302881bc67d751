"""快速人脸认证: the legal representative's face checks, and the simulator's stand-in for Tencent's side."""

from piccolo.columns import Boolean, ForeignKey, Integer, OnDelete, Timestamptz, Varchar
from piccolo.table import Table

from xqr.tables.accounts import Enterprise, User


class FaceCheck(Table):
    """One face check of a certification request's legal representative.

    Only the result is kept (pass/fail, code, time): no face images, no video (人脸识别技术应用安全管理办法).
    """

    #: the certification request checked (a plain reference: the certification tables live apart)
    request_id = Integer(index=True)
    enterprise = ForeignKey(Enterprise, on_delete=OnDelete.restrict, index=True)
    started_by = ForeignKey(User, on_delete=OnDelete.restrict)
    #: our own public id of the check, carried by the return URL (not guessable, unlike the row id)
    ref = Varchar(length=32, unique=True)
    #: the provider's token (E证通 EidToken); the only token the return of this check accepts
    token = Varchar(length=64, unique=True)
    #: simulator | tencent
    backend = Varchar(length=12)
    #: the provider's one-time start URL (shown again as a QR code on a PC)
    start_url = Varchar(length=1024, default="")
    #: started | passed | failed | expired
    status = Varchar(length=8, default="started", index=True)
    started_at = Timestamptz()
    expires_at = Timestamptz()
    finished_at = Timestamptz(null=True, default=None)
    result_code = Varchar(length=40, default="")
    result_message = Varchar(length=200, default="")
    #: set when a return consumed the result: a replayed return is refused
    used = Boolean(default=False)


class FaceSimulation(Table):
    """The simulator's memory of a flow it started (what Tencent keeps on its side for E证通)."""

    token = Varchar(length=64, unique=True)
    #: masked name shown on the simulated page: the simulator needs no personal data in clear
    masked_name = Varchar(length=40, default="")
    redirect_url = Varchar(length=1024)
    #: pending | passed | failed
    outcome = Varchar(length=8, default="pending")
    created_at = Timestamptz()
    expires_at = Timestamptz()
