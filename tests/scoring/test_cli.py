import csv
import io

from typer.testing import CliRunner

from social_care.scoring.cli import app, eval_cmd, register, score_cmd, train_cmd  # noqa: F401

runner = CliRunner()


def _rows(text: str):
    return list(csv.DictReader(io.StringIO(text)))


def test_score_file_round_trip(tmp_path):
    src = tmp_path / "in.csv"
    src.write_text(
        "id,text,author\n"
        '1,"my parcel never arrived, worst service ever 😡",a\n'
        "2,,b\n"
        '3,"thanks, great job!",c\n'
        '4,"multi\nline, with ""quotes""",d\n',
        encoding="utf-8",
    )
    out = tmp_path / "sub" / "out.csv"
    r = runner.invoke(app, ["score", str(src), "--output", str(out)])
    assert r.exit_code == 0, r.output
    rows = _rows(out.read_text(encoding="utf-8"))
    assert [x["id"] for x in rows] == ["1", "2", "3", "4"]
    assert list(rows[0]) == ["id", "text", "author", "lang", "label", "polarity", "flagged", "category", "reasons"]
    assert rows[0]["flagged"] == "true" and rows[0]["label"] == "negative" and rows[0]["category"]
    assert rows[0]["reasons"]
    assert rows[1]["label"] == "neutral" and rows[1]["flagged"] == "false"  # empty text kept, neutral
    assert rows[3]["text"] == 'multi\nline, with "quotes"'
    assert rows[3]["author"] == "d"


def test_score_stdin_stdout():
    r = runner.invoke(app, ["score", "-", "--output", "-", "--scorer", "vader"],
                      input="text\n\"I hate this, awful\"\nlovely day\n")
    assert r.exit_code == 0, r.output
    rows = _rows(r.stdout)
    assert [x["flagged"] for x in rows] == ["true", "false"]
    assert rows[1]["label"] == "positive"


def test_env_chooses_the_scorer_of_score(monkeypatch):
    posts = "text\n\"I hate this, awful\"\nlovely day\nthe parcel is late again\n"
    named = runner.invoke(app, ["score", "-", "--output", "-", "--scorer", "vader"], input=posts)
    default = runner.invoke(app, ["score", "-", "--output", "-"], input=posts)
    monkeypatch.setenv("SOCIAL_CARE_SCORER", "vader")
    from_env = runner.invoke(app, ["score", "-", "--output", "-"], input=posts)
    assert named.exit_code == default.exit_code == from_env.exit_code == 0, from_env.output
    assert _rows(from_env.stdout) == _rows(named.stdout)
    assert [r["polarity"] for r in _rows(default.stdout)] != [r["polarity"] for r in _rows(named.stdout)]


def test_existing_output_columns_are_replaced():
    r = runner.invoke(app, ["score", "-"], input="text,label\nterrible!!! never again,old\n")
    assert r.exit_code == 0, r.output
    rows = _rows(r.stdout)
    assert list(rows[0]).count("label") == 1
    assert rows[0]["label"] == "negative"


def test_missing_text_column(tmp_path):
    src = tmp_path / "bad.csv"
    src.write_text("id,body\n1,hello\n", encoding="utf-8")
    out = tmp_path / "out.csv"
    r = runner.invoke(app, ["score", str(src), "--output", str(out)])
    assert r.exit_code == 2
    assert "no `text` column" in r.output
    assert not out.exists()


def test_bad_encoding(tmp_path):
    src = tmp_path / "latin1.csv"
    src.write_bytes("text\ncafé très mauvais\n".encode("latin-1"))
    out = tmp_path / "out.csv"
    out.write_text("keep me", encoding="utf-8")
    r = runner.invoke(app, ["score", str(src), "--output", str(out)])
    assert r.exit_code == 2
    assert "not valid UTF-8" in r.output
    assert out.read_text(encoding="utf-8") == "keep me"


def test_missing_file_and_bad_scorer(tmp_path):
    r = runner.invoke(app, ["score", str(tmp_path / "nope.csv")])
    assert r.exit_code == 2 and "not found" in r.output
    r = runner.invoke(app, ["score", "-", "--scorer", "bert"], input="text\nx\n")
    assert r.exit_code == 2 and "unknown scorer" in r.output


def test_empty_input():
    r = runner.invoke(app, ["score", "-"], input="")
    assert r.exit_code == 2 and "empty" in r.output


def test_register_on_other_app():
    import typer

    main = typer.Typer()

    @main.command("version")
    def version() -> None:
        typer.echo("1")

    register(main)
    r = runner.invoke(main, ["score", "-"], input="text\nI want a refund and my order never arrived\n")
    assert r.exit_code == 0, r.output
    assert _rows(r.stdout)[0]["lang"] == "en"


def test_spreadsheet_exports_semicolon_tab_and_utf16(tmp_path):
    # Excel where the decimal mark is a comma writes semicolons; "Unicode text" is UTF-16 with tabs
    src = tmp_path / "de.csv"
    src.write_bytes("\ufeffid;Text;betrag\n"
                    "1;Paket nie angekommen. Eine Frechheit, der Kundenservice antwortet nicht!;12,50\n"
                    "2;Danke, alles super;3,00\n".encode("utf-8"))
    out = tmp_path / "out.csv"
    r = runner.invoke(app, ["score", str(src), "--output", str(out)])
    assert r.exit_code == 0, r.output
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8")), delimiter=";"))
    assert [x["id"] for x in rows] == ["1", "2"]
    assert rows[0]["betrag"] == "12,50" and rows[0]["lang"] == "de" and rows[0]["flagged"] == "true"
    assert rows[1]["flagged"] == "false"

    src = tmp_path / "unicode.txt"
    src.write_bytes("text\tauthor\nمن سفارشم رو نگرفتم و کسی جواب نمیده\tسارا\n".encode("utf-16"))
    r = runner.invoke(app, ["score", str(src), "--output", "-"])
    assert r.exit_code == 0, r.output
    rows = list(csv.DictReader(io.StringIO(r.stdout), delimiter="\t"))
    assert rows[0]["author"] == "سارا" and rows[0]["lang"] == "fa"


def test_a_comma_inside_text_does_not_make_a_semicolon_file_a_comma_file():
    r = runner.invoke(app, ["score", "-"], input="text;id\n\"late, again\";7\n")
    assert r.exit_code == 0, r.output
    rows = list(csv.DictReader(io.StringIO(r.stdout), delimiter=";"))
    assert rows[0]["text"] == "late, again" and rows[0]["id"] == "7"


def test_eval_on_a_teams_own_labelled_posts(tmp_path):
    """A team measures the flag on a sample of its own posts, labelled in a spreadsheet (semicolons),
    without the research sets; a row it cannot use is named and the others are measured."""
    import json

    from social_care.scoring import get_scorer

    posts = [
        ("my parcel never arrived, worst service ever", "true", "", "en"),
        ("thanks, the shoes fit perfectly!", "", "positive", "en"),
        ("where is my order? it was due on monday", "true", "", ""),
        ("is the blue one back in stock?", "false", "neutral", "en"),
        ("Das Paket ist angekommen, aber die Lampe ist kaputt", "true", "negative", "de"),
        ("Vielen Dank, alles bestens", "false", "", "de"),
        ("주문한 컵이 깨져서 왔어요", "true", "", "ko"),
        ("", "true", "", "en"),  # no text: left out, named
    ]
    src = tmp_path / "our_sample.csv"
    src.write_text("text;flagged;label;lang\n" + "".join(f"{t};{f};{lab};{lg}\n" for t, f, lab, lg in posts),
                   encoding="utf-8")
    r = runner.invoke(app, ["eval", "--labelled", str(src), "--scorers", "default,vader", "--json",
                            "--data-dir", str(tmp_path / "no-research-sets-here")])
    assert r.exit_code == 0, r.output
    assert "our_sample.csv row 9: no text, left out" in r.stderr
    res = json.loads(r.stdout)
    rows = {(x["set"], x["lang"]): x for x in res["rows"]}
    assert set(rows) == {("our_sample.csv", "en"), ("our_sample.csv", "de"), ("our_sample.csv", "ko")}
    assert rows[("our_sample.csv", "en")]["n"] == 4  # the row without a language counts as detected: en
    assert rows[("our_sample.csv", "en")]["flag_rows"] == 2
    sc = get_scorer("default")
    for lang, texts in (("de", [p[0] for p in posts[4:6]]), ("ko", [posts[6][0]])):
        gold = [p[1] == "true" for p in posts if p[0] in texts]
        got = [s.flagged for s in sc.score_many(texts)]
        tp = sum(g and f for g, f in zip(gold, got))
        assert rows[("our_sample.csv", lang)]["recall"]["default"] == round(tp / sum(gold), 4)
        assert rows[("our_sample.csv", lang)]["precision"]["default"] == round(tp / max(sum(got), 1), 4)
    table = runner.invoke(app, ["eval", "--labelled", str(src), "--scorers", "default"])
    assert table.exit_code == 0, table.output
    assert table.stdout.startswith("F1 of the flag and macro-F1 on your labelled posts (our_sample.csv)")


def test_eval_labelled_file_errors(tmp_path):
    nocol = tmp_path / "a.csv"
    nocol.write_text("body,flagged\nhello,true\n", encoding="utf-8")
    r = runner.invoke(app, ["eval", "--labelled", str(nocol), "--scorers", "default"])
    assert r.exit_code == 2 and "labelled file" in r.output and "no `text` column" in r.output
    empty = tmp_path / "b.csv"
    empty.write_text("text,flagged\nhello,maybe\n", encoding="utf-8")
    r = runner.invoke(app, ["eval", "--labelled", str(empty), "--scorers", "default"])
    assert r.exit_code == 2 and "no row with text and a flag or label" in r.output
    r = runner.invoke(app, ["eval", "--labelled", str(tmp_path / "missing.csv"), "--scorers", "default"])
    assert r.exit_code == 2 and "cannot read labelled file" in r.output


UNTERMINATED = (
    "id,text,author\n"
    '1,"my parcel never arrived,a\n'  # the quote is never closed
    "2,where is my refund?,b\n"
    "3,thanks a lot,c\n"
)


def test_score_names_an_unterminated_quote_and_exits_non_zero(tmp_path):
    src = tmp_path / "in.csv"
    src.write_text(UNTERMINATED, encoding="utf-8")
    out = tmp_path / "out.csv"
    r = runner.invoke(app, ["score", str(src), "--output", str(out)])
    assert r.exit_code != 0
    assert "line 2" in r.output and "--skip-bad-rows" in r.output
    assert not out.exists()


def test_score_skip_bad_rows_keeps_every_other_row(tmp_path):
    src = tmp_path / "in.csv"
    src.write_text(UNTERMINATED, encoding="utf-8")
    out = tmp_path / "out.csv"
    r = runner.invoke(app, ["score", str(src), "--output", str(out), "--skip-bad-rows"])
    assert r.exit_code == 0, r.output
    assert "skipped 1 malformed row" in r.output and "line 2" in r.output
    assert [x["id"] for x in _rows(out.read_text(encoding="utf-8"))] == ["2", "3"]


def test_a_quote_never_closed_to_the_end_is_named(tmp_path):
    src = tmp_path / "in.csv"
    src.write_text('text,id\nfine post,1\n"runs to the end,2\n', encoding="utf-8")
    r = runner.invoke(app, ["score", str(src), "--output", str(tmp_path / "o.csv")])
    assert r.exit_code != 0 and "line 3" in r.output
    r = runner.invoke(app, ["score", str(src), "--output", str(tmp_path / "o.csv"), "--skip-bad-rows"])
    assert r.exit_code == 0 and [x["id"] for x in _rows((tmp_path / "o.csv").read_text())] == ["1"]


def test_a_quote_that_swallows_whole_rows_into_a_wrong_width_record_is_named(tmp_path):
    src = tmp_path / "in.csv"
    src.write_text('id,text,author\n1,"broken,a\n2,ok,b\n3,"closed" here,c",x\n4,fine,d\n', encoding="utf-8")
    r = runner.invoke(app, ["score", str(src), "--output", str(tmp_path / "o.csv"), "--skip-bad-rows"])
    assert r.exit_code == 0, r.output
    assert "line 2" in r.output
    assert "2" in [x["id"] for x in _rows((tmp_path / "o.csv").read_text())]
