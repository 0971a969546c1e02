"""A user's own contract for the Task API layer (run by rda verify --contract PATH)."""


async def test_create_project_gets_an_id(rda_target_modules, rda_target_session):
    project = await rda_target_modules.crud.create_project(rda_target_session, "Mine")
    assert project.id == 1
    assert project.name == "Mine"


async def test_list_tasks_is_bounded(rda_target_modules, rda_target_session, rda_statement_counter):
    project = await rda_target_modules.crud.create_project(rda_target_session, "Mine")
    with rda_statement_counter.at_most(5):
        await rda_target_modules.crud.list_tasks(rda_target_session, project.id)
