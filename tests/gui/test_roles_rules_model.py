"""The rules table model: qtmodeltester, editing, the 26th rule refused, reorder by drag and drop through the view."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QEvent, QModelIndex, QPoint, Qt
from PySide6.QtGui import QDropEvent
from PySide6.QtWidgets import QAbstractItemView, QTableView

from cognito_desk.admin.rules import RoleMapping, Rule
from cognito_desk.ui.roles.rules_model import RulesModel

ROLE = "arn:aws:iam::123456789012:role/r"


def mapping_of(count: int) -> RoleMapping:
    return RoleMapping("Rules", "Deny", [Rule(f"claim{n}", "Equals", f"v{n}", ROLE + str(n)) for n in range(count)])


def test_the_model_passes_qtmodeltester(qtmodeltester):
    model = RulesModel()
    qtmodeltester.check(model)
    model.set_mapping(mapping_of(5))
    qtmodeltester.check(model)
    assert model.data(model.index(2, 0)) == "3" and model.data(model.index(2, 1)) == "claim2"
    model.set_mapping(RoleMapping("Token"))
    assert model.rowCount() == 0 and not model.flags(QModelIndex())


def test_editing_cells_and_rows_follows_the_mapping(qtbot):
    mapping = mapping_of(2)
    model = RulesModel()
    model.set_mapping(mapping)
    with qtbot.waitSignal(model.edited):
        assert model.setData(model.index(0, 3), " gold ")
    assert mapping.rules[0].value == "gold"
    assert not model.setData(model.index(0, 2), "Matches")  # not a match type AWS knows
    assert model.setData(model.index(0, 2), "StartsWith") and mapping.rules[0].match_type == "StartsWith"
    assert not model.setData(model.index(0, 0), "9")
    assert model.insertRows(1, 1) and mapping.rules[1] == Rule()
    assert model.removeRows(0, 1) and [r.claim for r in mapping.rules] == ["", "claim1"]


def test_the_26th_rule_is_refused(qtbot):
    mapping = mapping_of(24)
    model = RulesModel()
    model.set_mapping(mapping)
    assert model.insertRows(24, 1)
    with qtbot.waitSignal(model.refused) as refused:
        assert not model.insertRows(25, 1)
    assert refused.args == ["A role mapping holds at most 25 rules."]
    assert len(mapping.rules) == 25


def drop_on_row(view: QTableView, source: int, target: int) -> None:
    """Drop row ``source`` above row ``target`` through the view, as a mouse drag would end."""
    model = view.model()
    data = model.mimeData([model.index(source, 1)])
    rect = view.visualRect(model.index(target, 1))
    point = QPoint(rect.center().x(), rect.top() + 1)
    event = QDropEvent(point, Qt.DropAction.MoveAction, data, Qt.MouseButton.LeftButton,
                       Qt.KeyboardModifier.NoModifier)
    view.dropEvent(event)


def test_reorder_by_drag_and_drop_through_the_view(qtbot, qtmodeltester):
    mapping = mapping_of(4)
    view = QTableView()
    view.setAccessibleName("Rules")
    qtbot.addWidget(view)
    model = RulesModel(view)
    model.set_mapping(mapping)
    view.setModel(model)
    view.setDragDropMode(QAbstractItemView.DragDropMode.DragDrop)  # as the Roles & rules tab sets it up
    view.setDefaultDropAction(Qt.DropAction.MoveAction)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.resize(600, 300)
    view.show()
    qtbot.waitExposed(view)
    drop_on_row(view, 3, 0)
    assert [r.claim for r in mapping.rules] == ["claim3", "claim0", "claim1", "claim2"]
    drop_on_row(view, 0, 3)
    assert [r.claim for r in mapping.rules] == ["claim0", "claim1", "claim3", "claim2"]
    assert model.rowCount() == 4 and model.data(model.index(0, 0)) == "1"
    qtmodeltester.check(model)
    view.close()  # deleted here, on the GUI thread, not by a garbage collection on some worker thread later
    view.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
