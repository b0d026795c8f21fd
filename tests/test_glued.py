"""The glued-digit decoder (etl.glued): readings of rows whose cells lost their separators."""
import random

from etl import glued as G

T3 = G.row_shape(("count",) * 7, total_of=6)
T4 = G.row_shape(("count",) * 15, block=5)
V19_ITEMS = G.row_shape(("count", "signed", "count"))
V19_PROC = G.row_shape(("count", "amount"))


def test_spaces_are_cell_boundaries_and_other_cuts_are_free():
    # "…申请数量150 000015": the space separates two cells, the other boundaries vanished
    assert G.readings(["150", "000015"], T3) == ([["15", "0", "0", "0", "0", "0", "15"]], True)
    # "（七）总计15 0 00 0 015"
    assert G.readings(["15", "0", "00", "0", "015"], T3)[0] == [["15", "0", "0", "0", "0", "0", "15"]]
    # "20 0 0 0 02": the last piece holds two cells
    assert G.readings(["20", "0", "0", "0", "02"], T3)[0] == [["2", "0", "0", "0", "0", "0", "2"]]


def test_a_total_is_computed_not_guessed():
    found, complete = G.readings(["110000011"], T3)
    assert complete and sorted(found) == [["1", "10", "0", "0", "0", "0", "11"], ["11", "0", "0", "0", "0", "0", "11"]]
    assert G.readings(["170000017"], T3)[0] == [["17", "0", "0", "0", "0", "0", "17"]]


def test_a_blank_cell_leaves_no_digit_and_readings_with_blanks_come_last():
    # six digits for seven cells: one cell was blank; every reading says 0 everywhere
    found, complete = G.readings(["000000"], T3)
    assert complete and len(found) == 7 and all(G.values(r) == [0] * 7 for r in found)
    assert all(r.count("") == 1 for r in found)
    # seven digits: no blank is assumed when a reading without one exists
    assert G.readings(["8000008"], T3)[0] == [["8", "0", "0", "0", "0", "0", "8"]]


def test_signed_changes_and_amounts():
    assert G.readings(["0+11"], V19_ITEMS)[0] == [["0", "+1", "1"]]
    found, _ = G.readings(["88-720"], V19_ITEMS)
    assert sorted(found) == [["88", "-7", "20"], ["88", "-72", "0"]]  # both fit: the parser must not choose
    # a sign only in a signed column, a decimal point only in an amount column
    assert G.readings(["1-2"], G.row_shape(("count", "count")))[0] == []
    assert ["17", "6586650.10"] in G.readings(["176586650.10"], V19_PROC)[0]
    assert all("." not in p for r in G.readings(["12.5"], G.row_shape(("count", "count")))[0] for p in r)


def test_table4_blocks_each_add_up():
    assert G.readings(["000000000000000"], T4)[0] == [["0"] * 15]
    found, _ = G.readings(["10", "0", "1", "200", "0", "0", "0", "0", "0", "0", "00"], T4)
    assert found == [["1", "0", "0", "1", "2"] + ["0"] * 10]


def test_printed_figures_that_do_not_add_up_are_read_as_printed_when_only_one_reading_is_left():
    # a real table 4: the third block prints 13|2|4|0 and total 15 (it should be 19)
    shape = T4
    assert G.readings(["00202000001324015"], shape) == ([], True)
    assert G.unbalanced(["00202000001324015"], shape) == \
        ["0", "0", "2", "0", "2", "0", "0", "0", "0", "0", "13", "2", "4", "0", "15"]
    # a report that prints 0 in every 总计 cell: seven digits for seven cells allow one cut only
    assert G.unbalanced(["3000000"], T3) == ["3", "0", "0", "0", "0", "0", "0"]
    # several cuts left: nothing is chosen
    assert G.unbalanced(["1234567890"], T3) is None


def test_search_is_bounded_on_long_garbage_rows():
    """Issue 13 item 3: a glued row of 60 digits once took 194 s (an unbounded enumeration of cuts). The
    search prunes by what the remaining digits can still add up to, remembers dead states, and stops at a
    node budget; a row cut short is withheld by the reader (complete=False), never guessed."""
    rng = random.Random(7)
    worst = 0
    for n in (20, 30, 45, 50, 60, 84):
        for _ in range(3):
            digits = "".join(rng.choice("0123456789") for _ in range(n))
            for shape in (T3, T4):
                stats = {}
                found, complete = G.decode([digits], shape, stats=stats)
                assert stats["nodes"] <= G.NODE_BUDGET + 1
                worst = max(worst, stats["nodes"])
                if complete:
                    for r in found:  # whatever is returned is a reading that adds up
                        v = G.values(r)
                        assert all(abs(v[t] - sum(v[j] for j in srcs)) < 1e-9 for t, srcs in shape.sums)
    assert worst > 0
    # a real glued row is decided in a handful of steps
    stats = {}
    assert G.decode(["120000012"], T3, stats=stats)[0] == [["12", "0", "0", "0", "0", "0", "12"]]
    assert stats["nodes"] < 200
    # far more digits than cells can hold: no search at all
    stats = {}
    assert G.decode(["1" * 200], T3, stats=stats) == ([], True) and stats.get("nodes", 0) == 0
