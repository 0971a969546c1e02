"""Discovery on real layouts: models packages, routers beside crud, layers not the Task API.

Source-level only (discovery never imports the target), so these need no database.
"""

from __future__ import annotations

from pathlib import Path
from textwrap import dedent

import pytest

from verifier.errors import UsageError
from verifier.verify.target import load_target

MODEL = """\
from sqlmodel import Field, SQLModel


class {name}(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
"""


def write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(dedent(text))
    return root


CHAT = {
    "chat/__init__.py": "",
    "chat/models/__init__.py": "from chat.models.user import User\n",  # Message not re-exported
    "chat/models/user.py": MODEL.format(name="User"),
    "chat/models/message.py": MODEL.format(name="Message"),
    "chat/db.py": """\
        from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

        engine = create_async_engine("postgresql+asyncpg://localhost/chat")
        SessionLocal = async_sessionmaker(engine, expire_on_commit=False)


        async def get_session():
            async with SessionLocal() as session:
                yield session
        """,
    "chat/crud.py": """\
        from sqlmodel.ext.asyncio.session import AsyncSession


        async def create_user(session: AsyncSession, email: str):
            ...


        async def _private(session: AsyncSession):
            ...
        """,
    "chat/messages.py": """\
        async def add_message(db, conversation_id: int, text: str):
            ...
        """,
    "chat/api.py": """\
        from typing import Annotated

        from fastapi import APIRouter, Depends
        from sqlmodel.ext.asyncio.session import AsyncSession

        router = APIRouter()


        @router.post("/users")
        async def post_user(session: Annotated[AsyncSession, Depends()], email: str):
            ...
        """,
}


def test_a_layer_that_is_not_the_task_api_gets_no_task_api_contract(tmp_path: Path) -> None:
    target = load_target(write(tmp_path, CHAT))
    spec = target.spec
    assert spec.model_modules() == ["chat.models.message", "chat.models.user"]
    assert spec.database == "chat.db"
    assert spec.crud_modules() == ["chat.crud", "chat.messages"]  # not the router
    assert spec.contract == "none"
    discovered, contract = target.assumptions
    assert "crud = chat.crud, chat.messages (public async functions taking a session first" in (
        discovered
    )
    assert "not chat.api: FastAPI routes" in discovered
    assert contract == "contract = none (not the Task API: no create_task in the crud modules)"


def test_a_manifest_naming_a_models_package_imports_every_module_of_it(tmp_path: Path) -> None:
    write(tmp_path, CHAT)
    (tmp_path / "pyproject.toml").write_text(
        '[tool.rda]\nmodels = "chat.models"\ndatabase = "chat.db"\ncrud = "chat.crud"\n'
    )
    target = load_target(tmp_path)
    assert target.spec.model_modules() == [
        "chat.models",
        "chat.models.message",
        "chat.models.user",
    ]
    assert target.spec.contract == "none"  # no contract key: not the Task API, so none
    assert any("every module of the package" in a for a in target.assumptions)


def test_manifest_models_and_crud_may_be_lists(tmp_path: Path) -> None:
    write(tmp_path, CHAT)
    (tmp_path / "rda.toml").write_text(
        'models = ["chat.models.user", "chat.models.message"]\ncrud = ["chat.crud"]\n'
    )
    spec = load_target(tmp_path).spec
    assert spec.model_modules() == ["chat.models.user", "chat.models.message"]
    assert spec.crud_modules() == ["chat.crud"]


def test_a_models_value_that_is_not_a_name_is_a_usage_error(tmp_path: Path) -> None:
    write(tmp_path, CHAT)
    (tmp_path / "rda.toml").write_text("models = 3\n")
    with pytest.raises(UsageError, match="models must be a module name or a list"):
        load_target(tmp_path)


def test_a_contract_path_without_manifest_still_gets_the_modules(tmp_path: Path) -> None:
    write(tmp_path, CHAT)
    contract = tmp_path / "contract_tests" / "test_chat.py"
    contract.parent.mkdir()
    contract.write_text("def test_nothing():\n    pass\n")
    target = load_target(tmp_path, str(contract))
    assert target.spec.contract == str(contract.resolve())
    assert target.spec.crud_modules() == ["chat.crud", "chat.messages"]
    assert target.spec.database == "chat.db"
    assert target.assumptions[-1].endswith("(named by --contract)")


def test_the_task_api_is_recognised_by_its_functions_and_models(tmp_path: Path) -> None:
    reference = Path(__file__).parents[2] / "reference_impl"
    target = load_target(reference)  # its manifest names taskapi
    assert target.spec.contract == "taskapi"
    import shutil

    copy = tmp_path / "ref"
    shutil.copytree(reference / "taskapi", copy / "taskapi")
    discovered = load_target(copy)
    assert discovered.spec.contract == "taskapi"
    assert discovered.assumptions[-1].startswith("contract = taskapi (the crud modules define 9")


def test_the_task_api_without_its_models_is_not_taken_for_it(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "app/models.py": MODEL.format(name="Ticket"),
            "app/crud.py": "async def create_task(session, title):\n    ...\n",
        },
    )
    target = load_target(tmp_path)
    assert target.spec.contract == "none"
    assert "no Project, Worker, Task, AuditLog model" in target.assumptions[-1]


def test_an_explicit_taskapi_contract_is_kept(tmp_path: Path) -> None:
    write(tmp_path, CHAT)
    target = load_target(tmp_path, "taskapi")
    assert target.spec.contract == "taskapi"
    assert target.assumptions[-1] == "contract = taskapi (named by --contract)"


@pytest.mark.parametrize(
    ("line", "says"),
    [
        ('database = ["chat.db"]', "database must be a string, not list"),
        ("contract = 1", "contract must be a string, not int"),
        ('crud = ["chat.crud", 2]', "crud must be a module name or a list"),
    ],
)
def test_a_manifest_value_of_the_wrong_type_is_a_usage_error(
    tmp_path: Path, line: str, says: str
) -> None:
    write(tmp_path, CHAT)
    (tmp_path / "rda.toml").write_text(line + "\n")
    with pytest.raises(UsageError, match=says):
        load_target(tmp_path)
