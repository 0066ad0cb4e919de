from casesys.forms.fields import PageForm
from wtforms import BooleanField, PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length


class LoginForm(PageForm):
    username = StringField("用户名", validators=[DataRequired("请输入用户名")])
    password = PasswordField("密码", validators=[DataRequired("请输入密码")])
    remember = BooleanField("7天内自动登录")


class ChangePasswordForm(PageForm):
    current_password = PasswordField("当前密码", validators=[DataRequired("请输入当前密码")])
    new_password = PasswordField(
        "新密码", validators=[DataRequired("请输入新密码"), Length(min=10, message="新密码至少10个字符")]
    )
    confirm = PasswordField(
        "确认新密码", validators=[EqualTo("new_password", message="两次输入的新密码不一致")]
    )
