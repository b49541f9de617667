"""Pieces several forms share: the parties as court papers introduce them, the court
addressed, the signature and the claim calculation table."""

from __future__ import annotations

from arrears.legal.documents.layout import (
    Band,
    Block,
    Content,
    Para,
    Row,
    Table,
    each,
    rows_each,
    when,
)


def applicant(word: str) -> tuple[Content, ...]:
    """The creditor as ``word`` (申请人, 申请执行人 …): an organisation."""
    return (
        Para(
            f"**{word}**：{{{{ creditor.name }}}}，住所地：{{{{ creditor.address }}}}，"
            "统一社会信用代码：{{ creditor.uscc }}。",
            "plain",
        ),
        Para(
            "法定代表人（主要负责人）：{{ creditor.representative }}，"
            "职务：{{ creditor.representative_post }}，联系电话：{{ creditor.phone }}。",
            "plain",
        ),
    )


def respondents(word: str, collection: str) -> Block:
    """Each party of ``collection`` (``defendants``, ``borrowers``) as ``word`` 一, 二 …,
    a person with sex, birth date and ID number, a company with its credit code."""
    return each(
        f"party in {collection}",
        when(
            "party.is_company",
            Para(
                f"**{word}{{{{ party.no }}}}**（{{{{ party.role }}}}）：{{{{ party.name }}}}，"
                "住所地：{{ party.address }}，{{ party.id_type }}：{{ party.id_number }}，"
                "法定代表人：{{ party.representative }}，联系电话：{{ party.phone }}。",
                "plain",
            ),
            otherwise=(
                Para(
                    f"**{word}{{{{ party.no }}}}**（{{{{ party.role }}}}）：{{{{ party.name }}}}，"
                    "{{ party.sex }}，{{ party.birth_date }}出生，民族：{{ party.ethnicity }}，"
                    "{{ party.id_type }}号码：{{ party.id_number }}，"
                    "住址：{{ party.address }}，联系电话：{{ party.phone }}。",
                    "plain",
                ),
            ),
        ),
    )


def addressed_and_signed(signer: str) -> tuple[Content, ...]:
    """此致 the court, the signer with seal, the date."""
    return (
        Para("此致", "plain"),
        Para("{{ court }}", "plain"),
        Para(f"{signer}（签字、盖章）：{{{{ creditor.name }}}}", "right"),
        Para("{{ today }}", "right"),
    )


def claim_table() -> tuple[Content, ...]:
    """The calculator's itemised lines as an annex a judge can follow (only when there are
    lines), closed by the total."""
    return (
        when(
            "claim_lines",
            Para("附表：欠款及利息计算明细（截至{{ as_of }}）", "heading"),
            Table(
                (7, 26, 22, 14, 9, 7, 15),
                (
                    Row(
                        ("序号", "项目", "计算期间", "基数（元）", "年利率", "天数", "金额（元）"),
                        header=True,
                    ),
                    rows_each(
                        "line in claim_lines",
                        Row(
                            (
                                "{{ line.no }}",
                                "{{ line.label }}",
                                "{{ line.period }}",
                                "{{ line.base }}",
                                "{{ line.rate }}",
                                "{{ line.days }}",
                                "{{ line.amount }}",
                            )
                        ),
                    ),
                    Band("合计：{{ claim.total }}元（{{ claim.total_capital }}）"),
                ),
            ),
        ),
    )
