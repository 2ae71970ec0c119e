"""`parecon-rota plan` in Spanish and German: `--language`, or the terminal's (LC_ALL, LC_MESSAGES,
LANG); the table, the summary, warnings and refusals in that language with no English sentence of the
planner's or the solver's sources left, numbers written the language's way, and the files it writes
the same in every language."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pytest

from bot.runtime.cli import environment_language, main
from tests.english import english_runs

SOURCES = (
    "bot/domain/planner.py",
    "bot/domain/solver/__init__.py",
    "bot/domain/solver/model.py",
    "bot/domain/solver/timed.py",
    "bot/runtime/cli.py",
)
TASKS = """task,hours,slots,qualification,splittable,min_shift,desirability,empowerment
Chair meeting,2,1,,,,8,10
Clean kitchen,3,2,,true,1,2,1
Accounts,4,1,accounting,,,4,7
Deliveries,6,1,driver,yes,2,4,3
Dishes,2.5,,,,,2,1
"""
MEMBERS = """member,hours,qualifications,away
ana,6,accounting,
ben,6,Drivr;driver,
cy,5,driver;accounting,2026-12-01
dee,4,,true
"""
RATINGS = "member,task,desirability,empowerment\nana,Dishes,1,1\nben,Dishes,2,1\ncy,Dishes,9,2\n"
HISTORY = "week,task,member,hours\n2026-W48,Dishes,ana,2.5\n2026-W48,Chair meeting,ben,2\n"


ENGLISH = english_runs(*SOURCES)


def english_left(text: str) -> list[str]:
    return [run for run in ENGLISH if run in text]


@pytest.fixture(autouse=True)
def english_terminal(monkeypatch) -> None:
    """A terminal without a language of its own, unless a test sets one."""
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(name, raising=False)


def plan(tmp_path: Path, *extra: str, **files: str) -> int:
    texts = {"tasks": TASKS, "members": MEMBERS} | files
    argv = ["plan", "--out", str(tmp_path / "out.csv"), "--report", str(tmp_path / "report.json")]
    for name, text in texts.items():
        (tmp_path / f"{name}.csv").write_text(text, encoding="utf-8")
        argv += [f"--{name}", str(tmp_path / f"{name}.csv")]
    return main([*argv, "--week", "2026-W49", "--time-limit", "1", *extra])


def assignments(tmp_path: Path) -> list[dict[str, str]]:
    with open(tmp_path / "out.csv", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def test_the_catalog_knows_the_planners_english() -> None:
    assert len(ENGLISH) > 100 and "save it as CSV and try again" in " ".join(ENGLISH)


def test_the_plan_in_german_with_numbers_the_german_way_and_the_files_unchanged(tmp_path: Path, capsys) -> None:
    assert plan(tmp_path, "--language", "de", ratings=RATINGS, history=HISTORY) == 0
    out, err = capsys.readouterr()
    assert out.startswith("Woche 2026-W49: 5 Aufgaben, 3 aktive Mitglieder, 20,5 Std. Arbeit für ")
    header = out.splitlines()[2].split()
    assert header[:4] == ["Mitglied", "Stunden", "verfügbar", "Last"] and header[-1] == "Aufgaben"
    # cy is away on Tuesday and over their hours: `128 %`, with a no-break space
    assert re.search(r"^cy .*\(1 Tag abwesend\)\s+\d+\s% zu viel", out, re.M)
    assert re.search(r"^dee\s+–\s+0 von 4 .* abwesend$", out, re.M)
    assert re.search(r"Dishes 2,5|Dishes [0-2],\d+", out)  # hours with a decimal comma
    assert "(1 = genau fair)" in out and "gelöst in " in out
    assert re.search(r"Streuungssumme \d+,\d+", out)  # the figure depends on the clock, its comma does not
    assert "durchschnittliche Annehmlichkeit der Mitglieder " in out
    assert re.search(r"über 2 Wochen: kumulierte Streuungssumme \d+,\d{1,3}, längste Serie unangenehmer Arbeit", out)
    assert "Hinweis: 4 Aufgaben haben weniger als 2 Bewertungen in " in out
    assert "Chair meeting (8, 10)" in out
    warnings = err.splitlines()
    assert warnings and all(line.startswith("Warnung: ") for line in warnings)
    assert "die Arbeit (20,5 Std.) übersteigt die Stunden aller (" in err
    assert " Mitglieder über ihrer Verfügbarkeit: " in err
    assert "members.csv, Zeile 3: keine Aufgabe braucht die Qualifikation 'Drivr' von ben; meintest du 'driver'?" in err
    assert english_left(out + err) == []
    # The files are a contract: the same columns and values as in English.
    rows = assignments(tmp_path)
    assert set(rows[0]) == {"task", "member", "hours"}
    assert {r["hours"] for r in rows if r["task"] == "Dishes"} <= {"2.5", "2", "0.5", "1", "1.5", "0.25"}
    assert sum(float(r["hours"]) for r in rows) == 2 + 6 + 4 + 6 + 2.5
    report = json.loads((tmp_path / "report.json").read_text())
    assert {m["reason"] for m in report["inactive_members"]} == {"away"}
    assert any("ben's qualification 'Drivr' is needed by no task" in w for w in report["warnings"])  # English


def test_the_plan_in_spanish_from_lang(tmp_path: Path, capsys, monkeypatch) -> None:
    monkeypatch.setenv("LANG", "es_ES.UTF-8")
    assert plan(tmp_path) == 0
    out, err = capsys.readouterr()
    assert out.startswith("semana 2026-W49: 5 tareas, 3 miembros activos, 20,5 h de trabajo para ")
    assert out.splitlines()[2].split()[:3] == ["miembro", "horas", "disponibles"]
    assert re.search(r"^cy .*\(1 día fuera\)\s+\d+\s% de más", out, re.M)
    assert re.search(r"^dee\s+–\s+0 de 4 .* fuera$", out, re.M)
    assert "resuelto en " in out and "(1 = justo del todo)" in out
    assert re.search(r"suma de dispersión \d+,\d+", out)
    assert "aviso: el trabajo (20,5 h) supera las horas de todo el mundo (" in err
    assert "miembros por encima de su disponibilidad: " in err
    assert re.search(r"\d+(,\d+)? h de \d+(,\d+)? h \(\d+\s%\)", err)
    assert english_left(out + err) == []
    assert list(assignments(tmp_path)[0]) == ["task", "member", "hours"]


def test_language_wins_over_the_environment_and_english_stays_as_it_was(tmp_path: Path, capsys, monkeypatch) -> None:
    monkeypatch.setenv("LANG", "de_DE.UTF-8")
    assert plan(tmp_path, "--language", "en") == 0
    out, err = capsys.readouterr()
    assert out.startswith("week 2026-W49: 5 tasks, 3 active members, 20.5 h of work for ")
    assert "(1.00 = exactly fair)" in out and "warning: the work (20.5 h) exceeds everyone's hours (" in err


def test_the_environment_as_gettext_reads_it(monkeypatch) -> None:
    assert environment_language({}) == "en"
    assert environment_language({"LANG": "es_ES.UTF-8"}) == "es"
    assert environment_language({"LANG": "es_MX"}) == "es"
    assert environment_language({"LC_ALL": "de_AT.UTF-8", "LANG": "es_ES.UTF-8"}) == "de"
    assert environment_language({"LC_MESSAGES": "de_DE@euro", "LANG": "es_ES.UTF-8"}) == "de"
    assert environment_language({"LC_ALL": "", "LANG": "de_DE.UTF-8"}) == "de"
    assert environment_language({"LANG": "C.UTF-8"}) == "en"
    assert environment_language({"LC_ALL": "fr_FR.UTF-8", "LANG": "de_DE.UTF-8"}) == "en"  # gettext stops at LC_ALL


def test_bad_files_are_refused_in_german_every_problem_on_its_line(tmp_path: Path, capsys) -> None:
    tasks = "task,hourz,slots\nx,1,1\n"
    members = "member,hours,away\n" + "".join(f"m{i},lots,\n" for i in range(23)) + "ana,5,2026-12-06..2026-12-01\n"
    assert plan(tmp_path, "--language", "de", tasks=tasks, members=members) == 1
    err = capsys.readouterr().err
    lines = err.splitlines()
    assert all(line.startswith("Fehler: ") for line in lines)
    assert lines[0].endswith(
        "tasks.csv, Zeile 1: unbekannte Spalte(n) hourz (meintest du hours?); die Spalten sind "
        "task,hours,slots,qualification,splittable,min_shift,desirability,empowerment,every_weeks,first_week,day,start"
    )
    assert lines[1].endswith("members.csv, Zeile 2: `hours` muss eine Zahl sein, nicht 'lots'")
    assert lines[-1].endswith("members.csv: und 4 weitere Probleme dieser Art")
    assert len(lines) == 1 + 20 + 1
    assert english_left(err) == []


def test_refusals_of_the_solver_in_spanish(tmp_path: Path, capsys) -> None:
    tasks = "task,hours,slots,qualification\nDishes,1,1,\nFly,1,1,pilot\nMeeting,1,5,\n"
    assert plan(tmp_path, "--language", "es", tasks=tasks) == 1
    err = capsys.readouterr().err
    assert err == (  # several problems: said together, as in English
        "error: entrada: la tarea 'Fly' necesita la cualificación 'pilot', que no tiene ningún miembro activo; la "
        "tarea 'Meeting' necesita 5 personas distintas, pero solo 3 miembros activos pueden tomarla\n"
    )
    tasks = "task,hours,slots,qualification\nDishes,1,1,\nFly,1,1,Pilot\n"
    assert plan(tmp_path, "--language", "es", tasks=tasks, members=MEMBERS.replace("cy,5,driver;", "cy,5,pilto;")) == 1
    err = capsys.readouterr().err
    assert err == (
        "error: tasks.csv, línea 3: la tarea 'Fly' necesita la cualificación 'Pilot', que no tiene ningún miembro "
        "activo; ¿querías decir 'pilto' (members.csv, línea 4)?\n"
    ).replace("tasks.csv", str(tmp_path / "tasks.csv")).replace("members.csv", str(tmp_path / "members.csv"))
    tasks = "task,hours,slots\nMeeting,1,5\n"
    assert plan(tmp_path, "--language", "es", tasks=tasks) == 1
    err = capsys.readouterr().err
    assert "la tarea 'Meeting' necesita 5 personas distintas, pero solo 3 miembros activos pueden tomarla" in err
    assert english_left(err) == []


def test_nobody_available_at_the_tasks_time_in_german_and_spanish(tmp_path: Path, capsys) -> None:
    tasks = "task,hours,slots,qualification,day,start\nDrive,4,1,driver,sat,09:00\n"
    members = "member,hours,qualifications,available\nana,6,driver,mon-fri 18:00-22:00; sun\nben,5,driver,mon\n"
    assert plan(tmp_path, "--language", "de", tasks=tasks, members=members) == 1
    err = capsys.readouterr().err
    assert err.strip().endswith(
        "tasks.csv, Zeile 2: Aufgabe 'Drive': niemand mit `driver` ist am sat 09:00–13:00 verfügbar (2 mit `driver`: "
        "ana ist mon-fri 18:00-22:00 und sun verfügbar; ben ist mon verfügbar)"
    )
    assert english_left(err) == []
    assert plan(tmp_path, "--language", "es", tasks=tasks, members=members) == 1
    err = capsys.readouterr().err
    assert "tarea 'Drive': nadie con `driver` está disponible el sat 09:00–13:00 (2 con `driver`: " in err
    assert "ana está disponible mon-fri 18:00-22:00 y sun; ben está disponible mon)" in err


def test_shifts_nobody_free_can_take_in_spanish(tmp_path: Path, capsys) -> None:
    """Two drives at once and one driver: each shift alone could be taken, both together cannot."""
    tasks = (
        "task,hours,slots,qualification,day,start\nDrive north,3,1,driver,sat,09:00\nDrive south,3,1,driver,sat,10:00\n"
    )
    members = "member,hours,qualifications\nana,10,driver\nben,10,\n"
    assert plan(tmp_path, "--language", "es", tasks=tasks, members=members) == 1
    err = capsys.readouterr().err
    assert "hace falta 1 persona más, pero las 1 que podrían tomarla están en otros turnos a esa hora (" in err
    assert "ana tiene 'Drive " in err and "mueve una de esas tareas o amplía la disponibilidad de alguien" in err
    assert english_left(err) == []


def test_times_days_and_the_granularity_are_refused_in_german(tmp_path: Path, capsys) -> None:
    tasks = "task,hours,day,start\nDishes,1,mun,10:00\nDrive,2,sat,25:00\nSweep,1,,09:00\n"
    members = "member,hours,available\nana,5,mon 9-12\nben,5,10:00-12:00\n"
    assert plan(tmp_path, "--language", "de", tasks=tasks, members=members) == 1
    err = capsys.readouterr().err
    assert "Zeile 2: `day`: 'mun' in 'mun' ist kein Tag: schreib Tage als mon … sun" in err
    assert "Zeile 3: `start`: '25:00' ist keine Tageszeit: die Stunden gehen von 00:00 bis 23:59" in err
    assert "Zeile 4: `start` ist 09:00, aber `day` ist leer" in err
    assert "members.csv, Zeile 2: `available`: das Zeitfenster 'mon 9-12' kann nicht gelesen werden: schreib" in err
    assert "members.csv, Zeile 3: `available`: das Zeitfenster '10:00-12:00' hat keinen Tag: schreib Zeitfenster" in err
    assert english_left(err) == []
    assert plan(tmp_path, "--language", "de", "--granularity", "0.333") == 1
    err = capsys.readouterr().err
    assert err == (
        "Fehler: --granularity: die Granularität muss zwischen 0.05 und 4 Stunden liegen, mit höchstens zwei "
        "Dezimalstellen (0.25 ist eine Viertelstunde), nicht 0.333\n"
    )


def test_the_help_in_spanish(capsys, monkeypatch) -> None:
    monkeypatch.setenv("LANG", "es_ES.UTF-8")
    with pytest.raises(SystemExit):
        main(["plan", "--help"])
    out = re.sub(r"\s+", " ", capsys.readouterr().out)
    assert "Reparte las tareas de TASKS entre los miembros de MEMBERS como complejos de trabajo equilibrados." in out
    assert "(valoraciones individuales)" in out and "{en,de,es}" in out
    assert english_left(out) == []


def test_a_workbook_written_in_german_is_the_same_contract(tmp_path: Path, capsys) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    (tmp_path / "tasks.csv").write_text(TASKS, encoding="utf-8")
    (tmp_path / "members.csv").write_text(MEMBERS, encoding="utf-8")
    out = tmp_path / "plan.xlsx"
    argv = ["plan", "--tasks", str(tmp_path / "tasks.csv"), "--members", str(tmp_path / "members.csv")]
    assert main([*argv, "--out", str(out), "--week", "2026-W49", "--time-limit", "1", "--language", "de"]) == 0
    assert capsys.readouterr().out.startswith("Woche 2026-W49")
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["Assignments", "Members"]
    assert [c.value for c in book["Assignments"][1]] == ["task", "member", "hours"]
    assert [c.value for c in book["Members"][1]] == [
        "member",
        "hours",
        "available",
        "load",
        "fair share",
        "unpleasant",
        "empowering",
        "away days",
        "tasks",
    ]
    rows = {r[0].value: r for r in book["Members"].iter_rows(min_row=2)}
    assert rows["dee"][8].value == "away"
    held = [r[8].value for r in rows.values() if "Dishes" in (r[8].value or "")]
    assert held and all(re.search(r"Dishes \d+(\.\d+)?(, |$)", cell) for cell in held)  # `2.5`, never `2,5`
    assert not any(re.search(r"\d,\d", cell) for cell in held)
