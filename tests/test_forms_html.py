"""WTForms' attributes written by views/forms.html_params: the same HTML as WTForms' own, faster."""
import pytest
from markupsafe import Markup
from wtforms import Form, SelectField, StringField, TextAreaField
from wtforms.widgets import core

from tracker.views.forms import WTFORMS_HTML_PARAMS, html_params

CASES = [
    {"id": "body", "name": "body", "class_": "form-control", "rows": 5},
    {"value": 'a"b<c>&d\'e', "placeholder": "dd/mm/yyyy", "maxlength": 10},
    {"required": True, "disabled": False, "checked": True},
    {"data_lookup_from": "unit:#lead_unit", "aria_describedby": "x-help x-error", "data_": "trailing"},
    {"data_x": Markup('already "marked" <b>up</b>'), "title": Markup("&amp;")},
    {"value": None, "n": 0, "f": 1.5},
    {"value": "Vướng mắc về biên chế công chức cấp xã"},
    {},
]


@pytest.mark.parametrize("attributes", CASES)
def test_attributes_are_written_as_wtforms_writes_them(attributes):
    assert html_params(**attributes) == WTFORMS_HTML_PARAMS(**attributes)
    assert isinstance(html_params(**attributes), Markup)


def test_the_app_renders_its_fields_with_the_faster_writer(app):
    class Sample(Form):
        title = StringField("Tiêu đề")
        body = TextAreaField("Nội dung")
        unit = SelectField("Đơn vị", choices=[("a", 'Vụ "A" <1>'), ("b", "Vụ B")])

    form = Sample(data={"title": 'x" onmouseover="alert(1)', "unit": "a"})
    assert core.html_params is html_params
    assert str(form.title()) == '<input id="title" name="title" type="text" value="x&#34; onmouseover=&#34;alert(1)">'
    assert '<option selected value="a">Vụ &#34;A&#34; &lt;1&gt;</option>' in str(form.unit())
    assert str(form.body(rows=3)).startswith('<textarea id="body" name="body" rows="3">')


def test_a_select_widget_picks_its_option_writer_once_and_still_honours_an_override(app):
    """The app remembers per widget class how to call `render_option` (WTForms inspects it at every render); a
    subclass with its own writer still gets it."""
    from tracker.views.forms import WTFORMS_DISPATCH_RENDER_OPTION

    class Starred(core.Select):
        @classmethod
        def render_option(cls, choice, **kwargs):
            return Markup(f"<option value='{choice.value}'>*{choice.label}</option>")

    class Plain(core.Select):
        pass

    class Sample(Form):
        starred = SelectField("Sao", choices=[("a", "A")], widget=Starred())
        plain = SelectField("Thường", choices=[("a", "A"), ("b", "B")], widget=Plain())

    form = Sample(data={"plain": "b"})
    assert "<option value='a'>*A</option>" in str(form.starred())
    assert '<option selected value="b">B</option>' in str(form.plain())
    for widget in (Starred, Plain, core.Select):
        picked = widget._dispatch_render_option()
        assert picked is widget._dispatch_render_option()  # remembered
        assert type(picked) is type(WTFORMS_DISPATCH_RENDER_OPTION(widget))
