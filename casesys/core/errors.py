"""Error pages in Chinese; no stack traces, no data of the refused case."""
from __future__ import annotations

from flask import Flask, render_template
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from casesys.extensions import db

MESSAGES = {
    400: ("请求无效", "提交的内容无法处理，请返回重试。"),
    403: ("无权访问", "您没有访问此页面或此案件的权限。"),
    404: ("页面不存在", "您要找的页面或案件不存在。"),
    405: ("请求方式不允许", "请通过页面上的按钮操作。"),
    413: ("文件过大", "上传的内容超过了允许的大小。"),
    500: ("系统错误", "系统出现错误，已记录。请稍后重试。"),
    503: ("系统繁忙", "系统繁忙，请稍后再试。"),
}


def _page(code: int, detail: str | None = None):
    title, text = MESSAGES.get(code, (str(code), ""))
    return render_template("errors/error.html", code=code, title=title,
                           text=detail or text), code


def register(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return _page(400, "表单已过期或来源无效，请刷新页面后重新提交。")

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if error.code and error.code < 400:
            return error
        # abort(400, "…") with a message of our own (in Chinese) shows it; werkzeug's English default does not.
        own = error.description if error.description != type(error).description else None
        body, code = _page(error.code or 500, own)
        # A 503 (or 429) says when to come back.
        retry = [(name, value) for name, value in error.get_headers() if name == "Retry-After"]
        return body, code, retry

    @app.errorhandler(Exception)
    def server_error(error):
        db.session.rollback()
        app.logger.exception("unhandled error")
        return _page(500)
