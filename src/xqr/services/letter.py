"""企业授权书: the blank letter as a PDF carrying the enterprise's name and credit code.

reportlab's built-in CID font STSong-Light is one of the Adobe Asian fonts every PDF
reader has: the PDF names it and the reader supplies the glyphs, so no font file ships.
"""

from __future__ import annotations

import io
from datetime import date

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

FONT = "STSong-Light"
pdfmetrics.registerFont(UnicodeCIDFont(FONT))

PARAGRAPHS = (
    "本企业为在湘企融（湖南省中小企业融资服务平台）办理企业认证、融资申请等业务，特授权下列人员作为本企业的经办人，"
    "代表本企业在平台上提交资料、申请融资产品、接收平台及金融机构的通知。",
    "本企业同意平台为核实企业身份查询本企业的工商登记信息，并将认证资料提供给平台审核人员；在本企业申请融资时，"
    "将申请所需的企业信息提供给本企业选择的金融机构。",
    "经办人在授权范围内的行为，本企业均予以认可并承担相应责任。",
)
LINES = (
    "经办人（联系人）姓名：________________    职务：________________",
    "经办人身份证号：____________________________________",
    "经办人联系电话：________________    电子邮箱：________________________",
    "授权期限：自签署之日起至________年____月____日",
)


def _wrap(text: str, width: int) -> list[str]:
    """Chinese has no spaces to break at: cut every `width` characters."""
    return [text[i : i + width] for i in range(0, len(text), width)] or [""]


def authorization_letter_pdf(enterprise_name: str, credit_code: str) -> bytes:
    out = io.BytesIO()
    pdf = canvas.Canvas(out, pagesize=A4, pageCompression=1)
    pdf.setTitle("企业授权委托书")
    pdf.setAuthor("湘企融")
    width, height = A4
    left = 25 * mm
    y = height - 30 * mm

    pdf.setFont(FONT, 20)
    pdf.drawCentredString(width / 2, y, "企业授权委托书")
    y -= 16 * mm
    pdf.setFont(FONT, 12)
    pdf.drawString(left, y, f"授权企业（盖章）：{enterprise_name}")
    y -= 8 * mm
    pdf.drawString(left, y, f"统一社会信用代码：{credit_code}")
    y -= 12 * mm
    for paragraph in PARAGRAPHS:
        for line in _wrap("\u3000\u3000" + paragraph, 36):
            pdf.drawString(left, y, line)
            y -= 7 * mm
        y -= 2 * mm
    y -= 6 * mm
    for line in LINES:
        pdf.drawString(left, y, line)
        y -= 10 * mm
    y -= 10 * mm
    pdf.drawString(left, y, "法定代表人（签字）：________________")
    y -= 10 * mm
    pdf.drawString(left, y, "企业（公章）：")
    pdf.drawRightString(width - left, y, "签署日期：________年____月____日")
    pdf.setFont(FONT, 9)
    pdf.drawString(left, 15 * mm, f"本授权书由湘企融平台生成于 {date.today():%Y-%m-%d}，须由法定代表人签字并加盖企业公章后上传。")
    pdf.showPage()
    pdf.save()
    return out.getvalue()
