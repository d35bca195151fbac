"""The contract's versioning rules for a dossier that arrives several times."""


def _row(dossier, status, updated, channel="online", finished=""):
    return (
        f"{dossier},1.000001,31135,{channel},2025-07-01 08:00:00,,{finished},{status},"
        f"false,false,true,true,{updated}"
    )


FINISHED = "2025-07-03 08:00:00"


def _state(measures):
    m = measures()
    return (
        m.get(("dossiers_received", "31135", "2025-07"), 0),
        m.get(("dossiers_online", "31135", "2025-07"), 0),
        m.get(("dossiers_finished", "31135", "2025-07"), 0),
    )


def test_the_greatest_updated_at_wins_whatever_the_import_order(
    initialised, dossier_file, measures
):
    newer = dossier_file(_row("X", "finished", "2025-07-03 08:00:00", finished=FINISHED))
    older = dossier_file(_row("X", "processing", "2025-07-01 08:00:00", channel="direct"))
    assert initialised("import", "dossiers", newer).exit_code == 0
    result = initialised("import", "dossiers", older)
    assert result.exit_code == 0 and "0 changed the store" in result.stdout
    assert _state(measures) == (1, 1, 1)  # still the newer, finished, online record


def test_equal_updated_at_the_later_import_wins(initialised, dossier_file, measures):
    same = "2025-07-02 08:00:00"
    assert (
        initialised("import", "dossiers", dossier_file(_row("X", "processing", same))).exit_code
        == 0
    )
    later = dossier_file(_row("X", "processing", same, channel="direct"))
    assert initialised("import", "dossiers", later).exit_code == 0
    assert _state(measures) == (1, 0, 0)


def test_a_record_without_updated_at_is_newer_than_everything_before(
    initialised, dossier_file, measures
):
    dated = dossier_file(_row("X", "finished", "2099-01-01 00:00:00", finished=FINISHED))
    undated = dossier_file(_row("X", "processing", "", channel="direct"))
    assert initialised("import", "dossiers", dated).exit_code == 0
    assert initialised("import", "dossiers", undated).exit_code == 0
    assert _state(measures) == (1, 0, 0)


def test_within_one_file_rows_count_in_order(initialised, dossier_file, measures):
    path = dossier_file(
        _row("X", "processing", "2025-07-02 08:00:00", channel="direct"),
        _row("X", "finished", "2025-07-03 08:00:00", finished=FINISHED),
        _row("X", "processing", "2025-07-01 08:00:00", channel="postal"),  # older: loses
        _row("Y", "processing", ""),
        _row("Y", "processing", ""),  # an exact duplicate row is harmless
    )
    result = initialised("import", "dossiers", path)
    assert result.exit_code == 0, result.output
    assert _state(measures) == (2, 2, 1)


def test_several_files_in_one_import_are_read_in_the_order_given(
    initialised, dossier_file, measures
):
    first = dossier_file(_row("X", "processing", "", channel="direct"))
    second = dossier_file(_row("X", "processing", ""))
    assert initialised("import", "dossiers", first, second).exit_code == 0
    assert _state(measures) == (1, 1, 0)


def test_a_dossier_that_moves_month_leaves_its_old_month(initialised, dossier_file, measures):
    june = dossier_file(
        "X,1.000001,31135,online,2025-06-30 08:00:00,,,processing,false,false,true,true,"
        "2025-06-30 08:00:00"
    )
    assert initialised("import", "dossiers", june).exit_code == 0
    assert measures()[("dossiers_received", "31135", "2025-06")] == 1
    july = dossier_file(_row("X", "processing", "2025-07-05 08:00:00"))
    assert initialised("import", "dossiers", july).exit_code == 0
    found = measures()
    assert found.get(("dossiers_received", "31135", "2025-06"), 0) == 0
    assert found[("dossiers_received", "31135", "2025-07")] == 1
    assert found[("dossiers_received", "92", "2025")] == 1


def test_compute_without_full_rolls_up_the_stored_base(initialised, dossier_file):
    path = dossier_file(_row("X", "processing", ""))
    assert initialised("import", "dossiers", path).exit_code == 0
    result = initialised("compute")
    assert result.exit_code == 0 and "roll-up of the stored base" in result.stdout
    assert "0 values updated" in result.stdout
    full = initialised("compute", "--full")
    assert "full" in full.stdout and "0 values updated" in full.stdout
