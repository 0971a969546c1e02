"""A user's contract with one wrong expectation: rda verify must report exactly that test."""


async def test_project_name_is_kept(rda_target_modules, rda_session):
    project = await rda_target_modules.crud.create_project(rda_session, "Mine")
    assert project.name == "Yours"
