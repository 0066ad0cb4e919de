"""`flask --app wsgi document render --case <案号> --type ruling --out ruling.pdf`."""
from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup

from casesys.documents.types import DOC_TYPES

document_cli = AppGroup("document", help="文书：生成PDF")


@document_cli.command("render")
@click.option("--case", "case_number", required=True, help="案号，如 鄂知保裁字〔2026〕12号（括号写法不限）")
@click.option("--type", "key", required=True, type=click.Choice(sorted(DOC_TYPES)), help="文书类型")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path))
def render_command(case_number: str, key: str, out: Path):
    """The frozen PDF if the document is approved, else a watermarked draft."""
    from casesys.documents.models import Document
    from casesys.documents.rendering import DocumentError
    from casesys.documents.services import check_ready, document_pdf, find_case_by_number, latest_document
    from casesys.extensions import db

    case = find_case_by_number(case_number)
    if case is None:
        raise click.ClickException(f"找不到案号为 {case_number} 的案件")
    try:
        document = latest_document(case, key)
        if document is None:
            check_ready(case, key)
            kind = DOC_TYPES[key]
            document = Document(case_id=case.id, doc_type=key, texts=kind.defaults(case))
            document.case = case  # a draft for printing only; not saved
        data = document_pdf(document)
    except DocumentError as error:
        raise click.ClickException(str(error)) from error
    finally:
        db.session.rollback()
    out.write_bytes(data)
    state = f"已签发 {document.number}" if document.frozen else "草稿"
    click.echo(f"{out}（{DOC_TYPES[key].title}，{state}，{len(data)} 字节）")
