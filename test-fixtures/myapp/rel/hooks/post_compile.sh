#!/usr/bin/env bash
set -xe

# Create a release tarball
mix release

# Find tarball location
APP_NAME="myapp"
APP_TARBALL=$(find _build/${MIX_ENV}/ -maxdepth 1 -name "${APP_NAME}-*.tar.gz")

# Unarchive tarball to /tmp/app
mkdir -p /tmp/app
tar -xzf "${APP_TARBALL}" -C /tmp/app

# Keep Procfile which is required by Heroku
cp Procfile /tmp/app

# Remove everything and copy released app back to the build directory
rm -rf ./*
cp -R /tmp/app/* ./
rm -rf /tmp/app
