"""Every index in the document points at something that exists.

Run right after the schema check and before anything follows an index, so
later checks can index lists without guarding. Animations and cameras are
not checked: they are dropped from the output (see :mod:`.normalise`).
"""

from __future__ import annotations

from metaexpo.models.problems import Code, Findings
from metaexpo.models.schema import Gltf, Material, MaterialExtensions, TextureInfo

_FIX = "The file is damaged or was written by a faulty exporter: export it again."


def material_texture_infos(material: Material, where: str) -> list[tuple[str, TextureInfo]]:
    """Every texture reference of ``material`` (core and kept extensions) with its pointer."""
    found: list[tuple[str, TextureInfo]] = []
    pbr = material.pbr_metallic_roughness
    if pbr is not None:
        for key, info in (
            ("baseColorTexture", pbr.base_color_texture),
            ("metallicRoughnessTexture", pbr.metallic_roughness_texture),
        ):
            if info is not None:
                found.append((f"{where}/pbrMetallicRoughness/{key}", info))
    for key, info in (
        ("normalTexture", material.normal_texture),
        ("occlusionTexture", material.occlusion_texture),
        ("emissiveTexture", material.emissive_texture),
    ):
        if info is not None:
            found.append((f"{where}/{key}", info))
    if material.extensions is not None:
        for ext_field, ext_info in MaterialExtensions.model_fields.items():
            ext = getattr(material.extensions, ext_field)
            if ext is None:
                continue
            for key, info in type(ext).model_fields.items():
                value = getattr(ext, key)
                if isinstance(value, TextureInfo):
                    found.append((f"{where}/extensions/{ext_info.alias}/{info.alias}", value))
    return found


def check_references(g: Gltf, findings: Findings) -> None:
    """Record ``bad_reference`` for every index that points past the end of its list."""

    def ref(value: int | None, count: int, where: str, what: str) -> None:
        if value is not None and value >= count:
            findings.error(
                Code.BAD_REFERENCE,
                f"This refers to {what} {value}, but the file has {count} of them. {_FIX}",
                where,
            )

    if g.scene is not None:
        ref(g.scene, len(g.scenes), "/scene", "scene")
    for i, scene in enumerate(g.scenes):
        for j, root in enumerate(scene.nodes or []):
            ref(root, len(g.nodes), f"/scenes/{i}/nodes/{j}", "node")
    for i, node in enumerate(g.nodes):
        where = f"/nodes/{i}"
        ref(node.camera, len(g.cameras), f"{where}/camera", "camera")
        ref(node.skin, len(g.skins), f"{where}/skin", "skin")
        ref(node.mesh, len(g.meshes), f"{where}/mesh", "mesh")
        for j, child in enumerate(node.children or []):
            ref(child, len(g.nodes), f"{where}/children/{j}", "node")
    for i, mesh in enumerate(g.meshes):
        for j, prim in enumerate(mesh.primitives):
            where = f"/meshes/{i}/primitives/{j}"
            for name, attribute in prim.attributes.items():
                ref(attribute, len(g.accessors), f"{where}/attributes/{name}", "accessor")
            ref(prim.indices, len(g.accessors), f"{where}/indices", "accessor")
            ref(prim.material, len(g.materials), f"{where}/material", "material")
            for k, target in enumerate(prim.targets or []):
                for name, attribute in target.items():
                    ref(attribute, len(g.accessors), f"{where}/targets/{k}/{name}", "accessor")
    for i, accessor in enumerate(g.accessors):
        where = f"/accessors/{i}"
        ref(accessor.buffer_view, len(g.buffer_views), f"{where}/bufferView", "buffer view")
        if accessor.sparse is not None:
            sparse = accessor.sparse
            views = len(g.buffer_views)
            ref(
                sparse.indices.buffer_view,
                views,
                f"{where}/sparse/indices/bufferView",
                "buffer view",
            )
            ref(
                sparse.values.buffer_view, views, f"{where}/sparse/values/bufferView", "buffer view"
            )
    for i, view in enumerate(g.buffer_views):
        ref(view.buffer, len(g.buffers), f"/bufferViews/{i}/buffer", "buffer")
    for i, material in enumerate(g.materials):
        for where, info in material_texture_infos(material, f"/materials/{i}"):
            ref(info.index, len(g.textures), f"{where}/index", "texture")
    for i, texture in enumerate(g.textures):
        ref(texture.sampler, len(g.samplers), f"/textures/{i}/sampler", "sampler")
        ref(texture.source, len(g.images), f"/textures/{i}/source", "image")
    for i, image in enumerate(g.images):
        ref(image.buffer_view, len(g.buffer_views), f"/images/{i}/bufferView", "buffer view")
    for i, skin in enumerate(g.skins):
        where = f"/skins/{i}"
        ref(
            skin.inverse_bind_matrices, len(g.accessors), f"{where}/inverseBindMatrices", "accessor"
        )
        ref(skin.skeleton, len(g.nodes), f"{where}/skeleton", "node")
        for j, joint in enumerate(skin.joints):
            ref(joint, len(g.nodes), f"{where}/joints/{j}", "node")
