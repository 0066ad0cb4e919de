from wtforms import BooleanField, PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length

from casesys.forms.fields import PageForm


class LoginForm(PageForm):
    username = StringField("用户名", validators=[DataRequired("请输入用户名")])
    password = PasswordField("密码", validators=[DataRequired("请输入密码")])
    remember = BooleanField("自动登录")  # the label names REMEMBER_COOKIE_DURATION (login view)


class ChangePasswordForm(PageForm):
    current_password = PasswordField("当前密码", validators=[DataRequired("请输入当前密码")])
    new_password = PasswordField(
        "新密码", validators=[DataRequired("请输入新密码"), Length(max=128, message="密码不能超过128个字符")],
        description="不能包含用户名，不能是常见密码。",
    )
    confirm = PasswordField(
        "确认新密码", validators=[EqualTo("new_password", message="两次输入的新密码不一致")]
    )
