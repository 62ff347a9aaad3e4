from django import forms
from django.contrib.auth.forms import AuthenticationForm

from liangxin.accounts.models import User
from liangxin.core.models import Area, MemberUnit, Region, RegionLevel


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": "用户名或密码错误。连续输错 5 次，账号将被锁定 30 分钟。",
        "inactive": "该账号已停用，请联系安全管理员。",
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].label = "用户名"
        self.fields["password"].label = "密码"
        self.fields["username"].widget.attrs.update({"autofocus": True, "autocomplete": "username"})


class UserForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["username", "full_name", "phone", "role", "region", "area", "member_unit", "is_active"]
        labels = {"username": "用户名", "is_active": "启用"}
        help_texts = {"username": "字母、数字或 @ . + - _，登录时使用"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Assigning a jurisdiction needs the whole tree, though the security administrator
        # sees none of its data.
        self.fields["region"].queryset = Region.objects.filter(
            level__in=[RegionLevel.COUNTY, RegionLevel.TOWNSHIP]
        ).order_by("code")
        self.fields["region"].label_from_instance = lambda r: f"{r.code} {r.name}"
        self.fields["area"].queryset = Area.objects.all()
        self.fields["member_unit"].queryset = MemberUnit.objects.filter(active=True)
        self.fields["role"].required = True


class NewUserForm(UserForm):
    password = forms.CharField(
        label="初始密码",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="至少 10 位，含大写字母、小写字母、数字、符号中的三类；用户首次登录须修改",
    )


class ResetPasswordForm(forms.Form):
    password = forms.CharField(
        label="新密码", widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )
